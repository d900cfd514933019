"""The SQLite freshness probe: the versions are read only after something was committed."""

from __future__ import annotations

import asyncio

import pytest

from catalog.core.db import Database
from catalog.index.freshness import DataVersionProbe
from catalog.index.worker_index import IndexHolder
from tests.conftest import HolderFactory
from tests.e2e.kit import add_product


def test_the_probe_moves_only_when_another_connection_commits(
    database: Database, make_holder: HolderFactory
) -> None:
    probe = DataVersionProbe.for_engine(database.engine)
    if not database.is_sqlite:
        assert probe is None  # PostgreSQL: LISTEN/NOTIFY instead
        return
    assert probe is not None
    assert not probe.changed()
    holder_id, _ = make_holder("Acme")
    assert probe.changed()
    assert not probe.changed()  # seen
    add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates")
    assert probe.changed()
    assert not probe.changed()
    probe.close()


def test_a_still_catalogue_is_not_read_and_a_change_is_seen(
    database: Database, make_holder: HolderFactory
) -> None:
    if not database.is_sqlite:
        pytest.skip("the data_version probe is SQLite's")
    holder_id, _ = make_holder("Acme")
    add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates")
    holder = IndexHolder(engine=database.engine, check_interval=0.0, listen=False)
    holder.load()
    reads = []
    real = holder._read_versions

    def counted():  # type: ignore[no-untyped-def]
        reads.append(1)
        return real()

    holder._read_versions = counted  # type: ignore[method-assign]

    async def screenings(n: int) -> None:
        for _ in range(n):
            await holder.ensure_current(full=True)

    asyncio.run(screenings(20))
    assert reads == []  # nothing committed: no versions read
    anvil = add_product(database, holder_id=holder_id, brand="Acme", name="Anvil 50 kg")
    asyncio.run(screenings(3))
    assert reads == [1]  # read once, then still again
    assert anvil in holder.index.products
    holder.stop()
