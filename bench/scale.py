"""Start-up at scale: time to /readyz, memory per worker and unloaded latency, with and without
the index snapshot, for N products and W workers (issue 14's "1M products, 2 workers" row).

Steps: build the synthetic catalogue of bench/http_screening_data.py and import it (or reuse a
work folder's); then start `countermark serve --workers W` three times on the same data:
(1) snapshot off (the baseline: every worker reads and builds the whole catalogue), (2) snapshot
on with none stored yet (one worker builds and writes it, the others wait and load it), (3) a
restart that loads the stored snapshot. For each: seconds from the process start to /readyz 200
with every worker's index loaded, RSS and PSS of each worker (/proc/PID/smaps_rollup, once
ready), the time of the first screening after /readyz 200 and the p50 of sequential screenings
on one connection (distinct declarations).

    .venv/bin/python bench/scale.py --products 100000 --workers 2 [--workdir DIR --reuse]
    .venv/bin/python bench/scale.py --products 1000000 --workers 2 --workdir /tmp/cm-1m \
        --database-url postgresql+psycopg://root@127.0.0.1:5432/cm_1m --skip-baseline

Import once, then time restarts alone (`--restart-only` keeps the stored snapshot; when there
is none, the first run builds it and is reported as such; `--repeat` restarts, then medians):

    .venv/bin/python bench/scale.py --products 100000 --workdir /tmp/cm-100k --prepare-only
    .venv/bin/python bench/scale.py --products 100000 --workdir /tmp/cm-100k --reuse \
        --restart-only --workers 1 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening import DEFAULT_DATA, prepare, serve, stop, wait_ready  # noqa: E402
from bench.http_screening_data import declarations  # noqa: E402


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (uvicorn's workers, and their own children)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            out += [int(child), *descendants(int(child))]
    return out


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) / 1024.0
    return fields["Rss"], fields["Pss"]


def unloaded_p50(base: str, key: str, bodies: list[dict[str, Any]], n: int) -> tuple[float, float]:
    """p50 ms of `n` sequential screenings on one connection, each declaration used once, and
    the ms of the first screening after /readyz 200 (what the warm-up promises)."""
    times = []
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120.0) as client:
        t0 = time.perf_counter()
        client.post("/v1/screenings", json=bodies[0]).raise_for_status()
        first = (time.perf_counter() - t0) * 1000
        for body in bodies[1:5]:  # the connection and the first-request paths warmed
            client.post("/v1/screenings", json=body)
        for body in bodies[5 : 5 + n]:
            t0 = time.perf_counter()
            response = client.post("/v1/screenings", json=body)
            times.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
    return statistics.median(times), first


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--requests", type=int, default=200, help="sequential screenings timed")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--database-url", default="", help="default: SQLite in the work folder")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--port", type=int, default=18741)
    ap.add_argument("--reuse", action="store_true", help="reuse --workdir's imported data")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds to wait for ready")
    ap.add_argument("--skip-baseline", action="store_true",
                    help="no snapshot-off run (at 1M every worker builds for minutes)")  # fmt: skip
    ap.add_argument("--prepare-only", action="store_true", help="import the catalogue and stop")
    ap.add_argument(
        "--restart-only",
        action="store_true",
        help="only restarts loading the stored snapshot (built first if none)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="restarts timed (--restart-only)")
    args = ap.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cm-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "COUNTERMARK_DATA_DIR": str(work / "data")}
    # The timed screenings come faster than the customs key's default rate limit allows.
    env["COUNTERMARK_RATE_LIMIT_CUSTOMS"] = "1000000/second"
    if args.database_url:
        env["COUNTERMARK_DATABASE_URL"] = args.database_url
    saved = work / "prepared.json"
    if args.reuse and saved.exists():
        key, figures = json.loads(saved.read_text())
    else:
        key, figures = prepare(args, work, env)
        saved.write_text(json.dumps([key, figures]))
    print(f"catalogue: {args.products} products ({work}); import {figures['import_cmd']}: "
          f"{figures['import_rate']:.0f} products/s")  # fmt: skip
    if args.prepare_only:
        return
    count = args.requests + 5
    bodies = declarations(work / "catalogue.ndjson", count=count)
    base = f"http://127.0.0.1:{args.port}"
    cmd = [str(Path(sys.executable).with_name("countermark")), "serve", "--host", "127.0.0.1",
           "--port", str(args.port), "--workers", str(args.workers)]  # fmt: skip
    print("server:", " ".join(cmd))
    runs = [
        ("snapshot off (baseline)", "false"),
        ("snapshot on, none stored (one builds)", "true"),
        ("snapshot on, restart (loads it)", "true"),
    ]
    if args.restart_only:
        # A stored file may be another engine version's: such a run is reported as a build.
        stored = list((work / "data" / "index").glob("index-*.snapshot"))
        runs = runs[2:] * (args.repeat + (not stored))
    else:
        shutil.rmtree(work / "data" / "index", ignore_errors=True)
        if args.skip_baseline:
            runs = runs[1:]
    results: dict[str, list[tuple[float, float, float, float]]] = {}
    for n, (name, flag) in enumerate(runs):
        log = work / f"scale-{n}-{flag}.log"
        proc = serve(cmd, env={**env, "COUNTERMARK_INDEX_SNAPSHOT": flag}, log=log)
        try:
            ready = wait_ready(base, timeout=args.timeout, proc=proc, log=log,
                               workers=args.workers)  # fmt: skip
            workers = [proc.pid, *descendants(proc.pid)]  # the supervisor, workers, pools
            mem = [memory_mb(p) for p in workers]
            cpu = [cpu_seconds(p) for p in workers]
            p50, first = unloaded_p50(base, key, bodies, args.requests)
        finally:
            stop(proc)
        loads = re.findall(r"index loaded: .*? in ([\d.]+) s \(from the (\w+)\)", log.read_text())
        load = ", ".join(f"{float(sec):.1f} s from the {src}" for sec, src in loads)
        if flag == "true" and any(src != "snapshot" for _, src in loads):
            name = "snapshot on, none stored (one builds)"  # none usable was stored after all
        rss = " ".join(f"{r:.0f}" for r, _ in mem)
        pss = " ".join(f"{p:.0f}" for _, p in mem)
        total = sum(p for _, p in mem)
        results.setdefault(name, []).append((ready, total, p50, first))
        print(f"  {name:40s} ready {ready:7.1f} s | RSS MB per process (supervisor first) "
              f"[{rss}] | PSS [{pss}] total {total:.0f} | CPU s to ready "
              f"[{' '.join(f'{c:.2f}' for c in cpu)}] | first screening {first:.1f} ms "
              f"| unloaded p50 {p50:.2f} ms "
              f"(n={args.requests}, 1 connection) | index load per worker: {load}")  # fmt: skip
        sys.stdout.flush()
    for name, rows in results.items():
        if len(rows) > 1:
            ready, total, p50, first = (statistics.median(c) for c in zip(*rows, strict=True))
            print(f"  median of {len(rows)}: {name}: ready {ready:.2f} s, PSS total "
                  f"{total:.0f} MB, first screening {first:.1f} ms, "
                  f"unloaded p50 {p50:.2f} ms")  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
