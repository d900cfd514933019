"""Load test of POST /v1/screenings on loopback: a steady rate, then overload, then recovery.

Steps: build the synthetic catalogue of bench/http_screening_data.py (default 100k
products) and register it with `countermark import` as a user would; start
`countermark serve --workers 2`; drive it with locust (headless, bench/load_users.py):
  1. warm up (8 s), then calibrate unless --rate is given: as many answers as 32
     impatient clients get in 15 s; the steady rate is 70 % of that;
  2. steady: --duration seconds at --rate requests/s: 0 errors, throughput, p50/p95/p99;
  3. overload: --overload times the steady rate: every request is answered in time,
     accepted (201) or shed (503/429 with Retry-After); the share shed, p99 of accepted;
  4. recovery: the steady rate again as soon as the overload stops: 0 errors, p99.
A request with no answer within --timeout seconds is an error (a timeout), as is any
status other than 201, 429 and 503. The customs rate limit is lifted (COUNTERMARK_RATE_
LIMIT_CUSTOMS) so that what sheds is the worker's own bound, not the per-key quota.

Needs locust (`pip install locust`). Example (an empty database named cm_load):
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://root@127.0.0.1/cm_load
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening import DEFAULT_DATA, prepare, serve, stop, wait_ready  # noqa: E402
from bench.http_screening_data import declarations  # noqa: E402

LOCUSTFILE = Path(__file__).with_name("load_users.py")
UNLIMITED = {"COUNTERMARK_RATE_LIMIT_CUSTOMS": "1000000/second"}


@dataclass(frozen=True)
class Load:
    """What the locust runs send: to whom, with which key, which bodies, how patiently."""

    base: str
    key: str
    bodies: Path
    work: Path
    timeout: float = 10.0
    user_rps: float = 1.0  # each simulated client's rate: users = rate / user_rps


def run_locust(load: Load, *, name: str, rate: float, seconds: float) -> dict[str, Any]:
    """Send `rate` requests/s for `seconds` (rate 0: 32 clients as fast as answers come)."""
    users = max(1, math.ceil(rate / load.user_rps)) if rate > 0 else 32
    out = load.work / f"locust-{name}.json"
    cmd = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(LOCUSTFILE), "--headless", "--only-summary", "--loglevel", "ERROR",
        "-u", str(users), "-r", str(users), "--run-time", f"{seconds:g}s",
        "--stop-timeout", f"{load.timeout:g}", "--host", load.base,
    ]  # fmt: skip
    env = {
        **os.environ,
        "CM_LOAD_KEY": load.key,
        "CM_LOAD_BODIES": str(load.bodies),
        "CM_LOAD_USER_RPS": str(load.user_rps if rate > 0 else 0),
        "CM_LOAD_TIMEOUT": str(load.timeout),
        "CM_LOAD_OUT": str(out),
    }
    out.unlink(missing_ok=True)
    subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, timeout=seconds + load.timeout + 60)
    summary: dict[str, Any] = json.loads(out.read_text())
    summary.update(name=name, target_rps=rate, users=users, cmd=" ".join(cmd))
    return summary


def readyz_seconds(base: str) -> float:
    """How long /readyz takes to answer 200 from now (the worker's recovery)."""
    import httpx

    started = time.perf_counter()
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)


def phases(
    load: Load, *, rate: float, seconds: float, overload: float, overload_seconds: float
) -> list[dict[str, Any]]:
    """Steady, overload and recovery runs (after a warm-up); each run's summary."""
    runs = [run_locust(load, name="steady", rate=rate, seconds=seconds)]
    runs.append(run_locust(load, name="overload", rate=rate * overload, seconds=overload_seconds))
    ready = readyz_seconds(load.base)
    runs.append(run_locust(load, name="recovery", rate=rate, seconds=min(seconds, 20.0)))
    runs[-1]["readyz_after_overload_s"] = ready
    return runs


def write_bodies(catalogue: Path, path: Path, *, count: int = 512) -> Path:
    """The request bodies (near copies of catalogue products and others), sent in turn."""
    path.write_text(json.dumps([json.dumps(d) for d in declarations(catalogue, count=count)]))
    return path


def report(runs: list[dict[str, Any]], *, header: list[str]) -> None:
    """Print every run with its command."""
    print("\n".join(header))
    head = ("run", "target/s", "users", "sent/s", "201/s", "shed", "errors", "p50", "p95", "p99")
    print("{:10} {:>8} {:>6} {:>8} {:>8} {:>7} {:>6} {:>8} {:>8} {:>8}".format(*head))
    for r in runs:
        row = (r["name"], r["target_rps"], r["users"], r["offered_rps"], r["accepted_rps"])
        line = "{:10} {:8.0f} {:6d} {:8.1f} {:8.1f}".format(*row)
        print(
            f"{line} {r['shed_share']:7.1%} {r['errors']:6d} "
            f"{r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f}"
        )
        if r["errors"]:
            print(f"  errors: {r['error_kinds']}")
    print("(latencies in ms, of accepted answers; shed = 429/503 with Retry-After)")
    for r in runs:
        if "readyz_after_overload_s" in r:
            print(f"/readyz 200 {r['readyz_after_overload_s']:.2f} s after the overload stopped")
    print(f"locust: {runs[-2]['cmd']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="default: SQLite in the work folder")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=0, help="steady requests/s (0: calibrate)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds at the steady rate")
    parser.add_argument("--overload", type=float, default=3.0, help="times the steady rate")
    parser.add_argument("--overload-duration", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="a slower answer is an error")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="brand names")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=18741)
    parser.add_argument("--reuse", action="store_true", help="reuse --workdir's imported data")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cm-load-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "COUNTERMARK_DATA_DIR": str(work / "data"), **UNLIMITED}
    if args.database_url:
        env["COUNTERMARK_DATABASE_URL"] = args.database_url
    saved = work / "prepared.json"
    if args.reuse and saved.exists():
        key, figures = json.loads(saved.read_text())
    else:
        key, figures = prepare(args, work, env)
        saved.write_text(json.dumps([key, figures]))
    bodies = write_bodies(work / "catalogue.ndjson", work / "bodies.json")
    base = f"http://127.0.0.1:{args.port}"
    countermark = str(Path(sys.executable).with_name("countermark"))
    cmd = [countermark, "serve", "--host", "127.0.0.1", "--port", str(args.port)]
    cmd += ["--workers", str(args.workers)]
    log = work / "serve.log"
    proc = serve(cmd, env=env, log=log)
    try:
        wait_ready(base, timeout=900, proc=proc, log=log, workers=args.workers)
        load = Load(base=base, key=key, bodies=bodies, work=work, timeout=args.timeout)
        # The first screenings of a worker are slow (lazy loads): not part of any figure.
        runs = [run_locust(load, name="warm-up", rate=0, seconds=8)]
        rate = args.rate
        if rate <= 0:
            runs.append(run_locust(load, name="calibrate", rate=0, seconds=15))
            rate = max(1, round(runs[-1]["accepted_rps"] * 0.7))
        runs += phases(
            load,
            rate=rate,
            seconds=args.duration,
            overload=args.overload,
            overload_seconds=args.overload_duration,
        )
    finally:
        stop(proc)
    (work / "load.json").write_text(json.dumps(runs, indent=1))
    header = [
        f"# Load test: POST /v1/screenings, {args.products} products, {args.workers} workers",
        f"command: {' '.join(sys.argv)}",
        f"data: {work / 'catalogue.ndjson'} (synthetic), bodies {bodies}; "
        f"{args.database_url or 'SQLite in ' + str(work)}",
        f"import: {figures['import_seconds']:.1f} s ({figures['import_cmd']})",
        f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"steady rate {rate:g}/s; overload {args.overload:g}x for {args.overload_duration:g} s",
    ]
    report(runs, header=header)


if __name__ == "__main__":
    main()
