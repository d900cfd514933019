"""Group-commit writer throughput: screenings/s committed, SQLite and PostgreSQL, median of 3.

Drives `GroupCommitWriter` directly (no HTTP, no engine) with rows shaped like real
screenings (a stored request, a result with two matches and their signals, two hits),
from `--clients` concurrent coroutines on one event loop, as a worker's requests are.

    .venv/bin/python bench/writer_throughput.py --backend sqlite
    .venv/bin/python bench/writer_throughput.py --backend postgresql

PostgreSQL is reached through COUNTERMARK_TEST_POSTGRES_URL (default: root@127.0.0.1:5432);
a scratch database `countermark_bench_writer` is made and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from catalog.core.db import Database
from catalog.core.ids import new_id
from catalog.core.migrate import upgrade_head
from catalog.core.settings import Settings
from catalog.screening.service import HIT_TABLE, SCREENING_TABLE, WRITE_ORDER
from catalog.screening.writer import GroupCommitWriter

PG_ADMIN = os.environ.get(
    "COUNTERMARK_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/postgres"
)
SIGNALS = [
    {"name": "price_below_range", "contribution": 2.1, "detail": "declared 4.50 USD a unit is 4%"},
    {"name": "brand_exact", "contribution": 1.2, "detail": "the declared brand is Nike"},
]


def _rows() -> dict[Any, list[dict[str, Any]]]:
    now = datetime.now(UTC)
    sid = new_id()
    matches = [
        {"product_id": new_id(), "brand": "Nike", "name": "Air Zoom Pegasus 40", "similarity": 0.9,
         "risk": 0.93, "signals": SIGNALS}
        for _ in range(2)
    ]  # fmt: skip
    result = {"id": sid, "reference": "DECL-1", "risk": 0.93, "verdict": "likely_counterfeit",
              "lane": "red", "matches": matches, "signals": [], "catalog_version": 7,
              "engine_version": "e1", "weights_version": "w1", "settings_version": 0,
              "took_ms": 1.2, "created_at": now.isoformat()}  # fmt: skip
    request = {"reference": "DECL-1", "description": "mens running shoes air zoom white",
               "brand": "Nike", "hs_code": "640411", "gtin": None, "quantity": 200,
               "unit_value": {"amount": 4.5, "currency": "USD"}, "origin_country": "CN",
               "exporter": "Exporter Ltd", "importer": "Importer GmbH",
               "declared_on": "2026-11-27", "images": [], "consignee": None}  # fmt: skip
    screening = {
        "id": sid, "api_key_id": "k", "client_role": "customs", "reference": "DECL-1",
        "declared_on": date(2026, 11, 27), "screened_on": now.date(), "request": request,
        "result": result, "risk": 0.93, "verdict": "likely_counterfeit", "lane": "red",
        "catalog_version": 7, "engine_version": "e1", "weights_version": "w1",
        "settings_version": 0, "fx_version": 0, "thresholds": {"red": 0.8}, "took_ms": 1.2,
        "created_at": now,
    }  # fmt: skip
    hits = [
        {"screening_id": sid, "product_id": m["product_id"], "rights_holder_id": "h", "rank": r,
         "similarity": 0.9, "risk": 0.93, "created_at": now}
        for r, m in enumerate(matches)
    ]  # fmt: skip
    return {SCREENING_TABLE: [screening], HIT_TABLE: hits}


async def _drive(writer: GroupCommitWriter, *, total: int, clients: int) -> float:
    async def client(n: int) -> None:
        for _ in range(n):
            await writer.write(_rows())

    started = time.perf_counter()
    await asyncio.gather(*(client(total // clients) for _ in range(clients)))
    return (total // clients * clients) / (time.perf_counter() - started)


def _run(url: str, data_dir: Path, *, total: int, clients: int) -> float:
    upgrade_head(Settings(database_url=url, data_dir=data_dir))
    database = Database(url)
    writer = GroupCommitWriter(engine=database.write_engine, table_order=WRITE_ORDER)
    writer.start()
    try:
        return asyncio.run(_drive(writer, total=total, clients=clients))
    finally:
        writer.stop()
        database.dispose()


def main() -> None:
    """Print screenings/s for each of three runs and their median."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args()
    rates = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            if args.backend == "sqlite":
                url = f"sqlite:///{tmp}/bench.db"
                rates.append(_run(url, Path(tmp), total=args.total, clients=args.clients))
                continue
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            name = "countermark_bench_writer"
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
            try:
                rates.append(_run(url, Path(tmp), total=args.total, clients=args.clients))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print(f"{args.backend}: " + ", ".join(f"{r:,.0f}" for r in rates) + " screenings/s")
    print(f"{args.backend} median: {statistics.median(rates):,.0f} screenings/s")


if __name__ == "__main__":
    main()
