"""The index snapshot: built once, loaded by the next start, brought up to date, never half-used."""

from __future__ import annotations

import logging
import mmap
import sys
import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from catalog.core.db import Database
from catalog.index.frozen_map import FrozenMap
from catalog.index.snapshot import SnapshotStore
from catalog.index.worker_index import IndexHolder
from matchers.engine import assess
from matchers.features.gtin import gtin_key
from matchers.records import Declaration
from matchers.text.rerank import read_texts
from tests.conftest import HolderFactory
from tests.e2e.kit import (
    add_alias,
    add_image,
    add_product,
    change_product,
    delete_image,
    pattern_image,
)

QUERIES = ("acme rocket skates", "giant magnet acme", "ACM anvil", "portable hole")


def _holder(database: Database, store: SnapshotStore | None) -> IndexHolder:
    holder = IndexHolder(engine=database.engine, check_interval=0.0, listen=False,
                         snapshots=store)  # fmt: skip
    holder.load()
    return holder


def _same_as_database(holder: IndexHolder, database: Database) -> None:
    """The holder's index answers as one built from the database now does."""
    fresh = _holder(database, None)
    assert holder.catalog_version == fresh.catalog_version
    assert holder.index.products == fresh.index.products
    assert dict(holder.index.facts) == dict(fresh.index.facts)
    texts = {pid: read_texts(stored) for pid, stored in holder.index.rerank_texts.items()}
    assert texts == {pid: read_texts(stored) for pid, stored in fresh.index.rerank_texts.items()}
    for product in fresh.index.products.values():
        for gtin in product.gtins:
            key = gtin_key(gtin)
            assert key is not None
            assert holder.index.products_with_gtin(key) == fresh.index.products_with_gtin(key)
    assert set(holder.index.images) == set(fresh.index.images)
    # The products of each (holder, brand): what an alias change re-indexes.
    assert dict(holder.index._by_brand) == dict(fresh.index._by_brand)
    for query in QUERIES:
        declaration = Declaration(query)
        assert assess(declaration, index=holder.index, today=date(2026, 11, 27)) == assess(
            declaration, index=fresh.index, today=date(2026, 11, 27)
        )


@pytest.fixture
def acme(database: Database, make_holder: HolderFactory) -> tuple[str, str, str]:
    """A rights holder with two products, an image and an alias: (holder, skates, anvil)."""
    holder_id, _ = make_holder("Acme")
    skates = add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates",
                         gtins=["4006381333931"], price_min=10.0, price_max=20.0,
                         price_currency="EUR")  # fmt: skip
    anvil = add_product(database, holder_id=holder_id, brand="Acme", name="Anvil 50 kg")
    add_image(database, product_id=skates, kind="genuine", image=pattern_image(1))
    add_alias(database, holder_id=holder_id, brand="Acme", alias="ACM")
    return holder_id, skates, anvil


def test_first_start_builds_and_writes_the_next_loads_it(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path / "index")

    first = _holder(database, store)
    assert first.load_source == "database"
    assert store.path.exists()
    assert [p.name for p in store.folder.iterdir() if p.suffix == ".tmp"] == []

    second = _holder(database, SnapshotStore(tmp_path / "index"))
    assert second.load_source == "snapshot"
    _same_as_database(second, database)


def test_changes_after_the_snapshot_are_applied_at_load(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    holder_id, skates, anvil = acme
    store = SnapshotStore(tmp_path / "index")
    _holder(database, store)
    image = next(iter(_holder(database, None).index.images))

    magnet = add_product(database, holder_id=holder_id, brand="Acme", name="Giant magnet")
    change_product(database, product_id=skates, name="Rocket skates mark II")
    change_product(database, product_id=anvil, status="retired")
    delete_image(database, image_id=image)
    add_image(database, product_id=magnet, kind="counterfeit", image=pattern_image(2))
    add_alias(database, holder_id=holder_id, brand="Acme", alias="ACME Corp")

    holder = _holder(database, store)
    assert holder.load_source == "snapshot"
    assert set(holder.index.products) == {skates, magnet}
    assert holder.index.products[skates].name == "Rocket skates mark II"
    assert holder.index.products[magnet].brand_aliases == ("ACM", "ACME Corp")
    _same_as_database(holder, database)


def test_a_damaged_or_foreign_snapshot_is_not_used(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path / "index")
    _holder(database, store)
    good = store.path.read_bytes()

    store.path.write_bytes(good[:-10])  # truncated
    assert store.read() is None
    damaged = bytearray(good)
    damaged[-5] ^= 0xFF  # one byte flipped
    store.path.write_bytes(bytes(damaged))
    assert store.read() is None
    holder = _holder(database, store)
    assert holder.load_source == "database"  # rebuilt, and stored again
    assert store.read() is not None

    other = SnapshotStore(tmp_path / "index", key="another-engine-version")
    other.path.write_bytes(store.path.read_bytes())  # the header names the first key
    assert other.read() is None


def test_a_snapshot_ahead_of_the_database_is_not_used(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path / "index")
    built = _holder(database, store)
    # As if the database were restored from a backup older than the snapshot.
    store.write(catalog_version=built.catalog_version + 5, index=built.index, aliases={})
    holder = _holder(database, store)
    assert holder.load_source == "database"
    _same_as_database(holder, database)


def test_workers_starting_together_build_once(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    holders = [
        IndexHolder(
            engine=database.engine,
            check_interval=0.0,
            listen=False,
            snapshots=SnapshotStore(tmp_path / "index"),
        )
        for _ in range(3)
    ]
    threads = [threading.Thread(target=h.load) for h in holders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60.0)
    assert sorted(str(h.load_source) for h in holders) == ["database", "snapshot", "snapshot"]
    for h in holders:
        _same_as_database(h, database)


def test_another_database_does_not_start_from_this_ones_snapshot(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    _holder(database, SnapshotStore(tmp_path / "index", database="sqlite:///first.db"))
    other = _holder(database, SnapshotStore(tmp_path / "index", database="sqlite:///second.db"))
    assert other.load_source == "database"


def _mapped_from(store: SnapshotStore, text: object) -> bool:
    """Whether a text index reads its postings and documents from the store's file, in place."""
    for name in ("_post", "_text_blob", "_doc_blob"):
        array = getattr(text, name)
        if array.flags.writeable:
            return False
        base = array.base
        while isinstance(base, np.ndarray):
            base = base.base
        if not (isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)):
            return False
    return True


def test_the_text_index_is_read_in_place_from_the_file_by_every_worker(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path / "index")
    builder = _holder(database, store)
    assert builder.load_source == "database"
    assert _mapped_from(store, builder.index.text)  # the builder switched to the shared copy
    loader = _holder(database, SnapshotStore(tmp_path / "index"))
    assert loader.load_source == "snapshot"
    assert _mapped_from(store, loader.index.text)
    _same_as_database(builder, database)
    _same_as_database(loader, database)


def test_a_byte_flipped_anywhere_in_the_file_is_caught(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path / "index")
    _holder(database, store)
    good = store.path.read_bytes()
    assert store.read() is not None
    header_end = good.index(b"\n", len(b"countermark-index-snapshot\n")) + 1
    data = -(-header_end // 4096) * 4096
    flips = 0
    for at in range(data, len(good), max(1, (len(good) - data) // 40)):
        if good[at : at + 1] == b"\0" and at < len(good) - 1:  # alignment padding: not data
            continue
        damaged = bytearray(good)
        damaged[at] ^= 0x01
        store.path.write_bytes(bytes(damaged))
        assert store.read() is None, at
        flips += 1
    assert flips > 10


def test_facts_and_gtin_owners_are_read_from_the_file_and_follow_changes(
    database: Database, acme: tuple[str, str, str], tmp_path: Path
) -> None:
    holder_id, skates, anvil = acme
    store = SnapshotStore(tmp_path / "index")
    builder = _holder(database, store)
    assert isinstance(builder.index.facts, FrozenMap)  # the builder reads the file's too
    assert isinstance(builder.index.rerank_texts, FrozenMap)
    owner = gtin_key("4006381333931")
    assert owner is not None
    assert [p.product_id for p in builder.index.products_with_gtin(owner)] == [skates]
    twin = add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates twin",
                       gtins=["4006381333931"])  # fmt: skip
    change_product(database, product_id=skates, status="retired")
    holder = _holder(database, SnapshotStore(tmp_path / "index"))
    assert holder.load_source == "snapshot"
    assert isinstance(holder.index.facts, FrozenMap)
    assert [p.product_id for p in holder.index.products_with_gtin(owner)] == [twin]
    assert skates not in holder.index.facts
    assert anvil in holder.index.facts
    _same_as_database(holder, database)


def test_a_large_catalogue_is_built_by_a_child_process_and_loaded_from_its_file(
    database: Database, acme: tuple[str, str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SnapshotStore(tmp_path / "index")
    holder = IndexHolder(engine=database.engine, check_interval=0.0, listen=False,
                         snapshots=store, build_in_child_over=1)  # fmt: skip
    with caplog.at_level(logging.INFO):
        holder.load()
    assert holder.load_source == "database"
    assert store.path.exists()
    assert "index snapshot written" not in caplog.text  # not by this process: by the child
    assert "not built in a child process" not in caplog.text
    assert _mapped_from(store, holder.index.text)  # loaded from the file the child wrote
    assert isinstance(holder.index.facts, FrozenMap)
    _same_as_database(holder, database)


def test_a_failed_child_build_falls_back_to_building_here(
    database: Database,
    acme: tuple[str, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python-here"))  # cannot start
    store = SnapshotStore(tmp_path / "index")
    holder = IndexHolder(engine=database.engine, check_interval=0.0, listen=False,
                         snapshots=store, build_in_child_over=1)  # fmt: skip
    with caplog.at_level(logging.INFO):
        holder.load()
    assert "not built in a child process: building it here" in caplog.text
    assert "index snapshot written" in caplog.text
    assert holder.load_source == "database"
    assert len(holder.index) == 2
    assert store.path.exists()  # written by this process instead
    _same_as_database(holder, database)


def test_the_products_of_each_brand_survive_a_snapshot_and_follow_later_changes(
    database: Database, acme: tuple[str, str, str], tmp_path: Path, make_holder: HolderFactory
) -> None:
    holder_id, skates, anvil = acme
    other_id, _ = make_holder("Wile")
    store = SnapshotStore(tmp_path / "index")
    built = _holder(database, store)
    assert built.index.products_of_brands([(holder_id, "acme")]) == [skates, anvil]
    loaded = store.read()
    assert loaded is not None
    assert isinstance(loaded.index._by_brand, FrozenMap)
    assert dict(loaded.index._by_brand) == dict(built.index._by_brand)

    magnet = add_product(database, holder_id=holder_id, brand="Acme", name="Giant magnet")
    change_product(database, product_id=skates, brand="Acme  Tools", brand_key="acme tools")
    change_product(database, product_id=anvil, rights_holder_id=other_id)
    holder = _holder(database, store)  # the snapshot's map, then the changes since
    assert holder.load_source == "snapshot"
    assert holder.index.products_of_brands([(holder_id, "acme")]) == [magnet]
    assert holder.index.products_of_brands([(holder_id, "acme tools")]) == [skates]
    assert holder.index.products_of_brands([(other_id, "acme")]) == [anvil]
    _same_as_database(holder, database)

    add_alias(database, holder_id=holder_id, brand="ACME tools", alias="AT")
    change_product(database, product_id=magnet, status="retired")
    holder.refresh_sync()
    assert holder.index.products[skates].brand_aliases == ("AT",)
    assert holder.index.products_of_brands([(holder_id, "acme")]) == []
    _same_as_database(holder, database)


def test_an_alias_change_reindexes_only_that_brands_products_as_a_rebuild_would(
    database: Database, acme: tuple[str, str, str], tmp_path: Path, make_holder: HolderFactory
) -> None:
    holder_id, skates, anvil = acme
    other_id, _ = make_holder("Wile")
    coyote = add_product(database, holder_id=other_id, brand="Acme", name="Rocket skates")
    holder = _holder(database, SnapshotStore(tmp_path / "index"))
    holder = _holder(database, SnapshotStore(tmp_path / "index"))  # loaded from the snapshot
    assert holder.index.text.in_order([coyote, anvil, skates]) == [skates, anvil, coyote]

    add_alias(database, holder_id=holder_id, brand="Acme", alias="ACME Corp")
    holder.refresh_sync()
    assert holder.index.products[skates].brand_aliases == ("ACM", "ACME Corp")
    assert holder.index.products[anvil].brand_aliases == ("ACM", "ACME Corp")
    # Another holder's brand is not re-indexed; the re-indexed keep their order among themselves.
    assert holder.index.text.in_order([coyote, anvil, skates]) == [coyote, skates, anvil]
    _same_as_database(holder, database)
