"""`BulkInsert`: tuples for the DBAPI's executemany store what SQLAlchemy's Core insert stores."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select, text

from catalog.core.bulk import BulkInsert, JsonText, json_text
from catalog.core.db import Database
from catalog.models import Screening, ScreeningHit, table_of

SCREENING = table_of(Screening)
HIT = table_of(ScreeningHit)


def _screening(sid: str, at: datetime) -> dict[str, Any]:
    return {
        "id": sid, "api_key_id": "k", "client_role": "customs", "reference": "DÉCL-1 ü",
        "declared_on": date(2026, 11, 27), "screened_on": date(2026, 12, 1),
        "request": {"description": "chaussures « Nike »", "quantity": 2, "images": []},
        "result": {"risk": 0.93, "matches": [{"similarity": 0.1 + 0.2}], "z": None},
        "risk": 0.93, "verdict": "likely_counterfeit", "lane": "red", "catalog_version": 7,
        "engine_version": "e1", "weights_version": "w1", "settings_version": 0,
        "fx_version": 0, "thresholds": {"red": 0.8}, "took_ms": 1.25, "created_at": at,
    }  # fmt: skip


def test_bulk_rows_read_back_as_core_inserted_rows(database: Database) -> None:
    at = datetime(2026, 12, 1, 23, 59, 58, 123456, tzinfo=timezone(timedelta(hours=2)))
    core, bulk = _screening("a" * 36, at), _screening("b" * 36, at)
    inserter = BulkInsert(SCREENING, database.write_engine.dialect)
    hits = BulkInsert(HIT, database.write_engine.dialect)
    hit = {"screening_id": "b" * 36, "product_id": "p", "rights_holder_id": "h", "rank": 0,
           "similarity": 0.5, "risk": 0.25, "created_at": at}  # fmt: skip
    with database.write_engine.begin() as conn:
        conn.execute(insert(SCREENING), [core])
        inserter.run(conn, [inserter.row(bulk)])
        hits.run(conn, [hits.row(hit)])
    with database.engine.connect() as conn:
        rows = {r.id: dict(r._mapping) for r in conn.execute(select(SCREENING))}
        raw = conn.execute(
            text("SELECT CAST(result AS TEXT) FROM screening WHERE id = :id"), {"id": "b" * 36}
        ).scalar()
        stored_hit = dict(conn.execute(select(HIT)).one()._mapping)

    assert {k: v for k, v in rows["a" * 36].items() if k != "id"} == {
        k: v for k, v in rows["b" * 36].items() if k != "id"
    }
    assert rows["b" * 36]["created_at"] == at.astimezone(UTC)
    assert raw == json_text(bulk["result"])  # the column holds exactly the text serialised once
    assert json.loads(raw) == bulk["result"]
    assert stored_hit["id"] is not None  # the autoincrement id is left to the database
    assert stored_hit["rights_holder_id"] == "h"
    assert (stored_hit["rank"], stored_hit["risk"]) == (0, 0.25)


def test_json_text_serialises_once() -> None:
    once = json_text({"a": [1, 2.5, "é"]})

    assert isinstance(once, JsonText)
    assert json_text(once) is once
    assert once == '{"a":[1,2.5,"é"]}'
