"""The group-commit writer: many requests' rows in few transactions, failures kept apart."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.core.db import Database
from catalog.core.ids import new_id
from catalog.models import Screening
from catalog.screening.service import HIT_TABLE, SCREENING_TABLE, WRITE_ORDER
from catalog.screening.writer import GroupCommitWriter, WriterClosedError


def _row(screening_id: str | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": screening_id or new_id(), "api_key_id": "k", "client_role": "customs",
        "reference": None, "declared_on": date(2026, 11, 27), "screened_on": date(2026, 11, 27),
        "request": {"description": "x"}, "result": {}, "risk": 0.1, "verdict": "no_match",
        "lane": "green", "catalog_version": 1, "engine_version": "e", "weights_version": "w",
        "settings_version": 0, "fx_version": 0, "thresholds": {}, "took_ms": 0.5,
        "created_at": now,
    }  # fmt: skip


def _count(database: Database) -> int:
    with database.session(write=False) as session:
        return int(session.execute(select(func.count()).select_from(Screening)).scalar_one())


def test_concurrent_writes_are_committed_in_batches(database: Database) -> None:
    writer = GroupCommitWriter(engine=database.write_engine, max_batch=50, table_order=WRITE_ORDER)
    writer.start()

    async def many() -> None:
        await asyncio.gather(*(writer.write({SCREENING_TABLE: [_row()]}) for _ in range(200)))

    try:
        asyncio.run(many())
    finally:
        writer.stop()
    assert _count(database) == 200
    assert writer.rows_written == 200
    assert writer.batches < 200  # grouped: fewer transactions than requests


def test_a_bad_row_fails_only_its_own_request(database: Database) -> None:
    writer = GroupCommitWriter(engine=database.write_engine, max_batch=50, table_order=WRITE_ORDER)
    writer.start()
    duplicate = new_id()
    try:
        writer.write_sync({SCREENING_TABLE: [_row(duplicate)]})
        futures = [
            writer.submit({SCREENING_TABLE: [_row()]}),
            writer.submit({SCREENING_TABLE: [_row(duplicate)]}),  # primary key taken
            writer.submit({SCREENING_TABLE: [_row()], HIT_TABLE: []}),
        ]
        futures[0].result(10)
        futures[2].result(10)
        with pytest.raises(IntegrityError):
            futures[1].result(10)
    finally:
        writer.stop()
    assert _count(database) == 3
    with pytest.raises(WriterClosedError):
        writer.submit({SCREENING_TABLE: [_row()]})
