"""A burst of concurrent writes by one client while another client screens: p99 of the screenings.

Starts a real `countermark serve --workers 1` (SQLite in a temporary folder, or the
PostgreSQL database given), imports a catalogue of `--products`, then:
  1. baseline: customs screenings at `--rate` a second for `--baseline` seconds;
  2. burst: the same screening load, and meanwhile `--burst` concurrent product
     registrations by one rights-holder key (distinct GTINs, or one GTIN with
     `--same-gtin`), all sent at once.
Prints the statuses of the burst and p50/p99/max of the screenings in each phase.
By default the rights holder's rate limit applies (most of the burst is 429);
`--lift-limits` raises it so every write reaches the worker's write bound.

    .venv/bin/python bench/burst.py
    .venv/bin/python bench/burst.py --lift-limits --same-gtin
    .venv/bin/python bench/burst.py --database-url postgresql://root@127.0.0.1/cm_burst
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening import serve, stop, wait_ready  # noqa: E402
from bench.http_screening_data import declarations, gtin13, load_brands, write_catalogue  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def prepare(work: Path, env: dict[str, str], products: int) -> tuple[str, str, Path]:
    """Migrate, import a catalogue; return a customs key, a rights-holder key, the catalogue."""
    from catalog.access.keys import CLI_ACTOR, create_key
    from catalog.core.db import create_database
    from catalog.core.migrate import upgrade_head
    from catalog.core.settings import Settings
    from catalog.products.importing import import_rows, parse_rows
    from catalog.products.rights_holders import create_rights_holder

    settings = Settings(data_dir=work / "data", database_url=env["COUNTERMARK_DATABASE_URL"])
    upgrade_head(settings)
    catalogue = work / "catalogue.ndjson"
    write_catalogue(catalogue, count=products, brands=load_brands(DEFAULT_DATA))
    database = create_database(settings)
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name="Bench Brands").id
        _, customs = create_key(session, actor=CLI_ACTOR, role="customs", name="bench customs")
        _, writer = create_key(
            session, actor=CLI_ACTOR, role="rights_holder", name="burst", rights_holder_id=holder
        )
        rows = parse_rows(catalogue.read_bytes(), fmt="ndjson")
        import_rows(session, actor=CLI_ACTOR, rights_holder_id=holder, rows=rows, batch_size=1000)
    database.dispose()
    return customs, writer, catalogue


async def screen(
    client: httpx.AsyncClient, bodies: list[dict[str, Any]], *, rate: float, stop_at: asyncio.Event
) -> tuple[list[float], Counter[int]]:
    """Open-loop screenings at `rate` a second until `stop_at` is set: latencies (ms), statuses."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    in_flight = asyncio.Semaphore(64)  # bounded: a stalled server cannot pile up tasks

    async def one(body: dict[str, Any]) -> None:
        async with in_flight:
            started = time.perf_counter()
            try:
                status = (await client.post("/v1/screenings", json=body)).status_code
            except httpx.HTTPError:
                status = 0
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1

    tasks = []
    i = 0
    while not stop_at.is_set():
        tasks.append(asyncio.create_task(one(bodies[i % len(bodies)])))
        i += 1
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)
    return latencies, statuses


async def burst(base: str, key: str, *, count: int, same_gtin: bool) -> tuple[Counter[int], float]:
    """`count` registrations sent at once by one key: their statuses and the wall time."""
    limits = httpx.Limits(max_connections=count)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=120) as c:
        bodies = [
            {
                "brand": "Burst",
                "name": f"burst item {n}",
                "gtins": [gtin13(9_000_000 + (0 if same_gtin else n))],
            }
            for n in range(count)
        ]
        started = time.perf_counter()
        answers = await asyncio.gather(*(c.post("/v1/products", json=b) for b in bodies))
        return Counter(a.status_code for a in answers), time.perf_counter() - started


def burst_in_process(
    base: str, key: str, count: int, same_gtin: bool
) -> tuple[Counter[int], float]:
    """`burst` run to completion in a worker process."""
    return asyncio.run(burst(base, key, count=count, same_gtin=same_gtin))


async def run(
    base: str, customs: str, writer: str, bodies: list[dict[str, Any]], args: argparse.Namespace
) -> None:
    headers = {"Authorization": f"Bearer {customs}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for body in bodies[:20]:  # warm-up: first-call costs are not what is measured
            await client.post("/v1/screenings", json=body)
        done = asyncio.Event()
        asyncio.get_running_loop().call_later(args.baseline, done.set)
        base_lat, base_status = await screen(client, bodies, rate=args.rate, stop_at=done)
        done = asyncio.Event()
        screening = asyncio.create_task(screen(client, bodies, rate=args.rate, stop_at=done))
        await asyncio.sleep(0.5)
        # The burst runs in its own process: sharing this loop, its 200 requests would
        # delay the screening client's own sends and reads and be counted as server time.
        with ProcessPoolExecutor(1) as pool:
            statuses, seconds = await asyncio.get_running_loop().run_in_executor(
                pool, burst_in_process, base, writer, args.burst, args.same_gtin
            )
        await asyncio.sleep(0.5)
        done.set()
        burst_lat, burst_status = await screening
    report("baseline", base_lat, base_status)
    print(
        f"burst: {args.burst} registrations ({'one GTIN' if args.same_gtin else 'distinct GTINs'}) "
        f"in {seconds:.2f} s, statuses {dict(sorted(statuses.items()))}"
    )
    report("during burst", burst_lat, burst_status)


def report(phase: str, latencies: list[float], statuses: Counter[int]) -> None:
    """One line: count, statuses, p50, p99, max of the screenings of a phase."""
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"screenings {phase}: n={len(ordered)} statuses {dict(sorted(statuses.items()))} "
        f"p50={statistics.median(ordered):.1f} ms p99={p99:.1f} ms max={ordered[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--same-gtin", action="store_true")
    parser.add_argument("--lift-limits", action="store_true")
    parser.add_argument("--rate", type=float, default=20.0, help="screenings a second")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cm-burst-") as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work / 'data' / 'countermark.db'}"
        env = {
            **os.environ,
            "COUNTERMARK_DATA_DIR": str(work / "data"),
            "COUNTERMARK_DATABASE_URL": url,
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if args.lift_limits:
            env["COUNTERMARK_RATE_LIMIT_RIGHTS_HOLDER"] = "100000/second"
        customs, writer, catalogue = prepare(work, env, args.products)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cmd = [str(Path(sys.executable).with_name("countermark")), "serve", "--port", str(port)]
        log = work / "serve.log"
        proc = serve(cmd, env=env, log=log)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, timeout=120, proc=proc, log=log, workers=1)
            print(f"command: {' '.join(sys.argv)}")
            print(
                f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, "
                f"{args.products} products, screenings at {args.rate:.0f}/s"
            )
            asyncio.run(run(base, customs, writer, declarations(catalogue), args))
        finally:
            stop(proc)
        errors = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if " 500 " in line or "Traceback" in line
        ]
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"server log: {len(errors)} lines with a 500 or a traceback")


if __name__ == "__main__":
    main()
