"""An import reads and claims its rows' brand and GTIN owners a batch at a time.

At 100k products the bench import ran past 30 minutes: each row's GTIN owner was one
query and each first claim one savepoint. The statements an import sends must not
grow with its rows, and what it claims must be what row-by-row claims gave.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from catalog.access.keys import CLI_ACTOR
from catalog.core.db import Database
from catalog.models import BrandOwner, GtinOwner
from catalog.products import importing
from catalog.products.importing import import_rows, parse_rows
from catalog.products.rights_holders import create_rights_holder
from catalog.products.validation import gtin14
from tests.api.helpers import SHOE


def _gtin(n: int) -> str:
    body = f"{500000000000 + n:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _rows(count: int, *, brand: str = "Batchly", first: int = 0) -> bytes:
    return "\n".join(
        json.dumps({"brand": brand, "name": f"item {n}", "gtins": [_gtin(n)]})
        for n in range(first, first + count)
    ).encode()


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def _import(
    database: Database, holder: str, data: bytes, *, batch_size: int = 50
) -> importing.ImportResult:
    with database.session() as session:
        return import_rows(
            session,
            actor=CLI_ACTOR,
            rights_holder_id=holder,
            rows=parse_rows(data, fmt="ndjson"),
            batch_size=batch_size,
        )


def test_an_import_s_statements_do_not_grow_with_its_rows(database: Database) -> None:
    with database.session() as session:
        one = create_rights_holder(session, actor=CLI_ACTOR, name="One").id
        two = create_rights_holder(session, actor=CLI_ACTOR, name="Two").id
    with _statements(database) as small:
        assert _import(database, one, _rows(100)).created == 100
    with _statements(database) as large:
        assert _import(database, two, _rows(400, brand="Lotsly", first=1000)).created == 400

    # 4x the rows, 8 batches of 50 instead of 2: a few statements a batch, none a row.
    assert len(large) - len(small) <= 6 * 6, (len(small), len(large))
    assert len(large) < 100


def test_batched_claims_are_stored_and_refuse_another_holder(database: Database) -> None:
    with database.session() as session:
        owner = create_rights_holder(session, actor=CLI_ACTOR, name="Owner").id
        rival = create_rights_holder(session, actor=CLI_ACTOR, name="Rival").id
    first = _import(database, owner, _rows(30), batch_size=7)  # several batches
    again = _import(database, owner, _rows(30), batch_size=7)  # a re-import claims nothing new
    lines = [
        json.dumps({"brand": "Rivalry", "name": "mine", "gtins": [_gtin(100)]}),
        json.dumps({"brand": "Rivalry", "name": "taken", "gtins": [_gtin(12)]}),
        json.dumps({"brand": "Batchly", "name": "taken brand"}),
        json.dumps({"brand": "Rivalry", "name": "shoe", "gtins": SHOE["gtins"]}),
    ]
    refused = _import(database, rival, "\n".join(lines).encode())

    assert (first.created, len(first.errors)) == (30, 0)
    assert (again.created, again.unchanged, len(again.errors)) == (0, 30, 0)
    assert [line for line, _ in refused.errors] == [2, 3]
    assert "belongs to another rights holder" in refused.errors[0][1]
    with database.session(write=False) as session:
        gtins = dict(session.exec(select(GtinOwner.gtin, GtinOwner.rights_holder_id)).all())
        brands = dict(session.exec(select(BrandOwner.brand_key, BrandOwner.rights_holder_id)).all())
    assert {g: h for g, h in gtins.items() if h == owner} == {
        gtin14(_gtin(n)): owner for n in range(30)
    }
    assert gtins[gtin14(_gtin(100))] == rival
    assert gtins[gtin14(SHOE["gtins"][0])] == rival
    assert sorted(brands.values()) == sorted([owner, rival])
