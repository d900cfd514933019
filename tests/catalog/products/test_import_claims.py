"""An import claims its brands and GTINs in batches: the same owners as row by row, one 409 race."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlmodel import col

from catalog.access.keys import CLI_ACTOR
from catalog.core.db import Database
from catalog.core.errors import Conflict
from catalog.models import BrandOwner, GtinOwner
from catalog.products.importing import import_rows, parse_rows
from catalog.products.ownership import Claims
from catalog.products.rights_holders import create_rights_holder

TAKEN = "4006381333931"


def _gtin(n: int) -> str:
    body = f"{400000000000 + n:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _holders(database: Database) -> tuple[str, str]:
    with database.session() as session:
        first = create_rights_holder(session, actor=CLI_ACTOR, name="First").id
        second = create_rights_holder(session, actor=CLI_ACTOR, name="Second").id
    with database.session() as session:  # the first holder owns "Rival" and one GTIN
        claims = Claims(session, rights_holder_id=first)
        claims.claim(brands=["Rival"], gtin_keys=["0" + TAKEN])
    return first, second


def _rows() -> bytes:
    lines = []
    for i in range(23):
        row = {"brand": f"Brand {i % 4}", "name": f"Item {i}", "gtins": [_gtin(i)]}
        if i == 7:
            row["brand"] = "Rival"  # another holder's brand: this row alone fails
        if i == 12:
            row["gtins"] = [TAKEN]  # another holder's GTIN
        lines.append(json.dumps(row))
    return "\n".join(lines).encode()


def test_batched_claims_store_each_first_claim_once_and_refuse_anothers(
    database: Database,
) -> None:
    first, second = _holders(database)
    with database.session() as session:
        result = import_rows(session, actor=CLI_ACTOR, rights_holder_id=second,
                             rows=parse_rows(_rows(), fmt="ndjson"), batch_size=5)  # fmt: skip
    assert (result.created, len(result.errors)) == (21, 2)
    assert [line for line, _ in result.errors] == [8, 13]
    assert "another rights holder" in result.errors[0][1]
    with database.session(write=False) as session:
        brands = dict(
            session.execute(select(col(BrandOwner.brand), col(BrandOwner.rights_holder_id)))
            .tuples()
            .all()
        )
        gtins = dict(
            session.execute(select(col(GtinOwner.gtin), col(GtinOwner.rights_holder_id)))
            .tuples()
            .all()
        )
    assert brands == {"Rival": first, **{f"Brand {i}": second for i in range(4)}}
    # A refused row claims nothing: row 8 (index 7) fails on its brand before its GTIN.
    mine = {"0" + _gtin(i): second for i in range(23) if i not in (7, 12)}
    assert gtins == {"0" + TAKEN: first, **mine}


def test_a_claim_taken_between_lookup_and_flush_fails_with_409(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite serialises writers: no other holder can commit inside an import")
    first, second = _holders(database)
    with database.session() as session:
        claims = Claims(session, rights_holder_id=second)
        claims.lookup(brands=["Fresh"], gtin_keys=["0" + _gtin(99)])
        assert claims.refusal(brands=["Fresh"], gtin_keys=["0" + _gtin(99)]) is None
        with database.session() as other:  # another holder claims it first, and commits
            Claims(other, rights_holder_id=first).claim(brands=[], gtin_keys=["0" + _gtin(99)])
        with pytest.raises(Conflict):
            claims.flush()
