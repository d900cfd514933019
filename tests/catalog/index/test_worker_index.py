"""The per-worker index: full load from the database, then deltas by catalogue version."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import pytest

from catalog.access import audit
from catalog.core.db import Database
from catalog.index.worker_index import IndexHolder
from catalog.models import Product
from matchers.text import commonness
from matchers.text.commonness import BRAND_LANGUAGES
from tests.conftest import HolderFactory
from tests.e2e.kit import (
    add_alias,
    add_image,
    add_product,
    change_product,
    delete_image,
    pattern_image,
)


def _holder(database: Database) -> IndexHolder:
    holder = IndexHolder(engine=database.engine, check_interval=0.0, listen=False)
    holder.load()
    return holder


def test_load_builds_active_products_and_their_images(
    database: Database, make_holder: HolderFactory
) -> None:
    holder_id, _ = make_holder("Acme")
    live = add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates",
                       gtins=["4006381333931"], price_min=10.0, price_max=20.0,
                       price_currency="EUR")  # fmt: skip
    retired = add_product(database, holder_id=holder_id, brand="Acme", name="Old anvil")
    change_product(database, product_id=retired, status="retired")
    image = add_image(database, product_id=live, kind="genuine", image=pattern_image(1))
    add_alias(database, holder_id=holder_id, brand="Acme", alias="ACM")

    holder = _holder(database)

    assert holder.ready
    assert set(holder.index.products) == {live}
    record = holder.index.products[live]
    assert record.gtins == ("4006381333931",)
    assert record.price is not None
    assert record.price.min == 10.0
    assert record.brand_aliases == ("ACM",)
    assert set(holder.index.images) == {image}
    assert holder.catalog_version == 5


def test_the_word_lists_are_loaded_before_the_index_is_ready(database: Database) -> None:
    # Each language's common-word list is read on its first look-up: CPU that the first
    # screening of a fresh worker paid after /readyz had said 200.
    commonness._frequencies.cache_clear()
    holder = _holder(database)
    assert holder.ready
    loaded = commonness._frequencies.cache_info()
    assert loaded.currsize >= len(BRAND_LANGUAGES), loaded
    hits = loaded.hits
    for lang in BRAND_LANGUAGES:
        commonness._zipf_frequency("countermark", lang)  # a word the load did not look up
    assert commonness._frequencies.cache_info().misses == loaded.misses  # nothing new read
    assert commonness._frequencies.cache_info().hits > hits


def test_deltas_add_change_retire_and_delete(
    database: Database, make_holder: HolderFactory
) -> None:
    holder_id, _ = make_holder("Acme")
    first = add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates")
    holder = _holder(database)
    loaded_at = holder.catalog_version

    second = add_product(database, holder_id=holder_id, brand="Acme", name="Giant magnet")
    change_product(database, product_id=first, name="Rocket skates mark II")
    image = add_image(database, product_id=second, kind="counterfeit", image=pattern_image(2))
    asyncio.run(holder.ensure_current(full=True))

    assert holder.catalog_version > loaded_at
    assert set(holder.index.products) == {first, second}
    assert holder.index.products[first].name == "Rocket skates mark II"
    assert image in holder.index.images

    delete_image(database, image_id=image)
    change_product(database, product_id=first, status="retired")
    add_alias(database, holder_id=holder_id, brand="Acme", alias="ACME Corp")
    asyncio.run(holder.ensure_current(full=True))

    assert set(holder.index.products) == {second}
    assert image not in holder.index.images
    assert holder.index.products[second].brand_aliases == ("ACME Corp",)

    kept = add_image(database, product_id=second, kind="genuine", image=pattern_image(3))
    change_product(database, product_id=second, status="retired")
    asyncio.run(holder.ensure_current(full=True))
    assert kept not in holder.index.images
    change_product(database, product_id=second, status="active")  # back in service
    asyncio.run(holder.ensure_current(full=True))
    assert kept in holder.index.images


def test_version_check_is_skipped_within_the_interval(
    database: Database, make_holder: HolderFactory
) -> None:
    holder_id, _ = make_holder("Acme")
    holder = IndexHolder(engine=database.engine, check_interval=3600.0, listen=False)
    holder.load()
    added = add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates")

    asyncio.run(holder.ensure_current(full=True))
    assert added not in holder.index.products  # not checked yet: within the interval

    holder.mark_dirty()  # what a local change or a NOTIFY does
    asyncio.run(holder.ensure_current(full=True))
    assert added in holder.index.products


def test_fx_rates_for_a_day_pick_the_period(database: Database) -> None:
    from catalog.screening.fx import store_rates

    with database.session() as session:
        store_rates(
            session,
            rates=[
                {
                    "currency": "USD",
                    "quote": "EUR",
                    "rate": 0.90,
                    "valid_from": date(2026, 10, 1),
                    "valid_to": date(2026, 10, 31),
                },
                {
                    "currency": "USD",
                    "quote": "EUR",
                    "rate": 0.95,
                    "valid_from": date(2026, 11, 1),
                    "valid_to": date(2026, 11, 30),
                },
            ],
            source="test",
        )
    holder = _holder(database)

    october = holder.fx_for(date(2026, 10, 15))
    november = holder.fx_for(date(2026, 11, 15))
    assert october.rate(from_currency="USD", to_currency="EUR", on=date(2026, 10, 15)) == 0.90
    assert november.rate(from_currency="USD", to_currency="EUR", on=date(2026, 11, 15)) == 0.95
    assert holder.fx_for(date(2026, 12, 15)).rates == ()


def test_postgres_notify_wakes_the_index_at_once(
    database: Database, make_holder: HolderFactory
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    holder_id, _ = make_holder("Acme")
    holder = IndexHolder(engine=database.engine, check_interval=3600.0, listen=True)
    holder.load()
    try:
        added = add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates")
        for _ in range(100):  # the notification arrives on the listener's thread
            if holder.is_dirty:
                break
            time.sleep(0.02)
        asyncio.run(holder.ensure_current(full=True))
        assert added in holder.index.products
    finally:
        holder.stop()


def test_a_big_change_is_applied_in_the_background(
    database: Database, make_holder: HolderFactory
) -> None:
    holder_id, _ = make_holder("Acme")
    holder = IndexHolder(engine=database.engine, check_interval=0.0, listen=False, refresh_wait=0.0)
    holder.load()
    with database.session() as session:  # one bulk change, as an import makes
        version = audit.begin_change(session)
        for i in range(450):
            session.add(Product(rights_holder_id=holder_id, brand="Acme", brand_key="acme",
                                name=f"Anvil {i}", catalog_version=version))  # fmt: skip

    async def screen_twice() -> tuple[int, int]:
        await holder.ensure_current()  # does not wait: screening goes on meanwhile
        during = len(holder.index)
        await holder.ensure_current(full=True)
        return during, len(holder.index)

    during, after = asyncio.run(screen_twice())
    assert during < 450
    assert after == 450
    assert holder.catalog_version == version
