"""Time `countermark import` of N generated products on a fresh SQLite database.

    .venv/bin/python bench/import_products.py [--count 10000] [--runs 3]
        [--postgres postgresql://root@127.0.0.1:5432/postgres]

The products are synthetic (brands, names, valid GTIN-13s, prices, origins), made
here; no external data is read. Prints each run's wall time and the median. With
`--postgres` (a server URL whose user may create databases) each run imports into
a fresh scratch database, dropped afterwards; otherwise into a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from stdnum import ean

from catalog.core.settings import normalize_database_url

BRANDS = ["Nike", "Adidas", "Puma", "LEGO", "Rolex", "Chanel", "Gucci", "Sony", "Bosch", "Canon"]
COLUMNS = ["brand", "name", "model", "gtins", "description", "hs_codes", "price_min",
           "price_max", "price_currency", "authorized_origins"]  # fmt: skip
WORDS = ["running", "shoe", "watch", "bag", "leather", "classic", "sport", "camera", "set", "pro"]


def write_catalogue(path: Path, *, count: int, seed: int = 7) -> None:
    """Write `count` valid products as CSV."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(count):
            body = f"400{i:09d}"
            low = rng.randint(10, 500)
            writer.writerow([
                rng.choice(BRANDS),
                " ".join(rng.choice(WORDS) for _ in range(4)) + f" {i}",
                f"M-{i:06d}",
                body + ean.calc_check_digit(body),
                "generated product for the import benchmark",
                "640411",
                low,
                low * 2,
                "EUR",
                "VN|ID",
            ])  # fmt: skip


@contextmanager
def scratch_postgres(server: str | None) -> Iterator[str | None]:
    """A new empty PostgreSQL database on `server` (dropped afterwards), or None for SQLite."""
    if server is None:
        yield None
        return
    url = make_url(normalize_database_url(server))
    name = f"countermark_bench_import_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_once(csv_path: Path, *, cli: str, postgres: str | None = None) -> tuple[float, float, str]:
    """One import into a fresh database: (wall seconds, CPU seconds, summary line)."""
    with tempfile.TemporaryDirectory() as data, scratch_postgres(postgres) as database_url:
        env = {**os.environ, "COUNTERMARK_DATA_DIR": data}
        env.pop("COUNTERMARK_DATABASE_URL", None)
        if database_url is not None:
            env["COUNTERMARK_DATABASE_URL"] = database_url
        # Commands other than migrate/serve refuse to create a database: make it first.
        subprocess.run([cli, "migrate"], env=env, check=True, capture_output=True)
        holder = subprocess.run(
            [cli, "rights-holders", "create", "--name", "Bench"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [cli, "import", str(csv_path), "--rights-holder", holder],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        bar = [line for line in done.stderr.splitlines() if line.startswith("importing")]
        summary = done.stdout.strip().splitlines()[-1]
        return wall, cpu, f"{summary}\n  progress bar (stderr): {bar[-1] if bar else 'MISSING'}"


def main() -> None:
    """Generate, import `--runs` times, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    cli = str(Path(sys.executable).with_name("countermark"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalogue.csv"
        write_catalogue(path, count=args.count)
        walls, cpus = [], []
        for run in range(args.runs):
            wall, cpu, summary = run_once(path, cli=cli, postgres=args.postgres)
            walls.append(wall)
            cpus.append(cpu)
            print(f"run {run + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU (whole process) - {summary}")
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"command: {' '.join(sys.argv)}  data: {args.count} generated products, {backend}")
    wall = statistics.median(walls)
    cpu = statistics.median(cpus)
    load = os.getloadavg()[0]
    print(f"median wall {wall:.2f} s ({args.count / wall:.0f} products/s), median CPU {cpu:.2f} s")
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
