"""Group-commit writer throughput: screenings/s and CPU per screening, against its old paths.

Drives a group-commit writer directly (no HTTP, no engine) with rows shaped like real
screenings (a stored request, a result with two matches and their signals, two hits,
a webhook event), fresh for every write, from `--clients` concurrent coroutines on one
event loop, as a worker's requests are. Three writers run in the same process,
interleaved, each on a fresh database:

- `prelog`: the writer before the decision log (commit fdd47b2), loaded from git;
- `logged`: the writer with the first decision log (commit 0fdd34a: ORM-free Core
  insert of dicts, digests of the parsed record in the writer thread), from git;
- `current`: this tree's writer (tuples, JSON serialised once, digests in the caller).

Figures: the median over `--runs` of screenings/s (wall) and of process CPU time per
screening (`time.process_time`, both threads, row building included), and each
path's ratio to `prelog` in the same run.

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
import subprocess
import sys
import tempfile
import time
import types
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from catalog.core.db import Database
from catalog.core.ids import new_id
from catalog.core.migrate import upgrade_head
from catalog.core.settings import Settings
from catalog.screening import writer as current_writer
from catalog.screening.service import HIT_TABLE, SCREENING_TABLE, WRITE_ORDER
from catalog.webhooks.events import outbox_rows

ROOT = Path(__file__).resolve().parent.parent
PRELOG = "fdd47b2d773f0a180f7799f9dc8536f5a4922f39"  # parent of the decision log commit
LOGGED = "0fdd34aa758ec474cf29a9183235529cf939fa97"  # main before this writer

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
    events = outbox_rows(screening_id=sid, hits=hits, at=now)
    return {SCREENING_TABLE: [screening], HIT_TABLE: hits, WRITE_ORDER[2]: events}


def _module_at(commit: str, path: str, name: str) -> types.ModuleType:
    """A module's source as of `commit` (from git), loaded under `name`."""
    source = subprocess.run(
        ["git", "show", f"{commit}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{commit[:7]}:{path}"
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def writers() -> dict[str, Any]:
    """The writer class of each path."""
    prelog = _module_at(PRELOG, "catalog/screening/writer.py", "_bench_writer_prelog")
    log_v1 = _module_at(LOGGED, "catalog/access/decision_log.py", "_bench_decision_log_v1")
    logged = _module_at(LOGGED, "catalog/screening/writer.py", "_bench_writer_logged")
    logged.decision_log = log_v1  # type: ignore[attr-defined]
    return {
        "prelog": prelog.GroupCommitWriter,
        "logged": logged.GroupCommitWriter,
        "current": current_writer.GroupCommitWriter,
    }


async def _drive(writer: Any, *, total: int, clients: int) -> tuple[float, float]:
    async def client(n: int) -> None:
        for _ in range(n):
            await writer.write(_rows())

    count = total // clients * clients
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(total // clients) for _ in range(clients)))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return count / wall, cpu / count * 1e6


def _run(url: str, data_dir: Path, writer_class: Any, *, total: int, clients: int) -> Any:
    upgrade_head(Settings(database_url=url, data_dir=data_dir))
    database = Database(url)
    writer = writer_class(engine=database.write_engine, table_order=WRITE_ORDER)
    writer.start()
    try:
        return asyncio.run(_drive(writer, total=total, clients=clients))
    finally:
        writer.stop()
        database.dispose()


def _once(backend: str, writer_class: Any, *, total: int, clients: int) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/bench.db"
            return _run(url, Path(tmp), writer_class, total=total, clients=clients)
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = "countermark_bench_writer"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
        try:
            return _run(url, Path(tmp), writer_class, total=total, clients=clients)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    """Print each path's runs, medians and ratios to the pre-log writer."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paths", default="prelog,logged,current")
    args = parser.parse_args()
    classes = writers()
    paths = args.paths.split(",")
    runs: dict[str, list[tuple[float, float]]] = {p: [] for p in paths}
    for _ in range(args.runs):  # interleaved, so load drifts hit every path alike
        for path in paths:
            runs[path].append(
                _once(args.backend, classes[path], total=args.total, clients=args.clients)
            )
    print(f"{args.backend}, {args.total:,} screenings x {args.runs} runs, {args.clients} clients")
    medians = {
        p: (statistics.median(r for r, _ in v), statistics.median(c for _, c in v))
        for p, v in runs.items()
    }
    base = medians.get("prelog")
    for path, (rate, cpu) in medians.items():
        each = ", ".join(f"{r:,.0f}/s {c:.0f} us" for r, c in runs[path])
        ratio = f"  x{rate / base[0]:.2f} rate, x{cpu / base[1]:.2f} CPU vs prelog" if base else ""
        print(
            f"  {path:8s} median {rate:,.0f} screenings/s, {cpu:.1f} us CPU each{ratio}  [{each}]"
        )


if __name__ == "__main__":
    main()
