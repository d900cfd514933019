"""HTTP screening throughput and latency beside a bare FastAPI endpoint, same load generator.

Steps: build a synthetic catalogue (default 100k products, brands from the evaluation
data) and load it with `countermark import` (products/s); serve a bare FastAPI app,
then `countermark serve --workers 1` and `--workers 2`, and drive each with wrk
(POST bodies from a Lua script) on loopback; report requests/s, p50, p99, the ratio
to bare, the unloaded p50 and the index load time at start.

Needs wrk (Debian: `apt-get install -y wrk`). Example:
    .venv/bin/python bench/http_screening.py --products 100000 --duration 10
    .venv/bin/python bench/http_screening.py --database-url postgresql://root@127.0.0.1/cm_bench
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening_data import declarations, load_brands, write_catalogue  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LUA = """
local bodies = %s
local key = "%s"
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "/v1/screenings",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, bodies[i])
end
"""


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def run_wrk(
    url: str, script: Path, *, duration: float, connections: int, threads: int
) -> dict[str, Any]:
    """Run wrk once; return requests/s, p50, p99, errors and the command."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{int(duration)}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": _ms(pct.get("50", "")), "p99": _ms(pct.get("99", "")),
            "non2xx": int(bad.group(1)) if bad else 0, "cmd": " ".join(cmd)}  # fmt: skip


def wait_ready(
    base: str, *, timeout: float, proc: subprocess.Popen[bytes], log: Path, workers: int
) -> float:
    """Seconds until /readyz answers 200 and, for `countermark serve`, every worker has
    logged its index as loaded (one worker's readiness says nothing of the others)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        loaded = log.read_text(errors="replace").count("index loaded:") if workers else 0
        try:
            ok = httpx.get(base + "/readyz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok and loaded >= workers:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise TimeoutError("server did not become ready")


def serve(cmd: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server process logging to `log`."""
    fh = log.open("wb")
    return subprocess.Popen(
        cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server and its workers."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(20)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def prepare(
    args: argparse.Namespace, work: Path, env: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """Migrate, create a holder and a customs key, import the catalogue; return key and figures."""
    from catalog.access.keys import CLI_ACTOR, create_key
    from catalog.core.db import create_database
    from catalog.core.migrate import upgrade_head
    from catalog.core.settings import Settings
    from catalog.products.rights_holders import create_rights_holder

    settings = Settings(
        data_dir=work / "data", database_url=env.get("COUNTERMARK_DATABASE_URL", "")
    )
    upgrade_head(settings)
    database = create_database(settings)
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name="Bench Brands").id
        _, key = create_key(session, actor=CLI_ACTOR, role="customs", name="bench customs")
    database.dispose()
    catalogue = work / "catalogue.ndjson"
    write_catalogue(catalogue, count=max(args.products, 1000), brands=load_brands(args.data))
    if args.products == 0:  # an empty catalogue: measures the service around the engine
        return key, {"import_seconds": 0.0, "import_rate": 0.0, "import_cmd": "none"}
    started = time.perf_counter()
    cli = [
        str(Path(sys.executable).with_name("countermark")),
        "import",
        str(catalogue),
        "--rights-holder",
        holder,
    ]
    done = subprocess.run(cli, env=env, cwd=REPO, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
        raise SystemExit("import failed")
    return key, {
        "import_seconds": seconds,
        "import_rate": args.products / seconds,
        "import_cmd": " ".join(cli),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--products", type=int, default=100_000, help="0: empty catalogue (service overhead)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="evaluation data (brand names)"
    )
    parser.add_argument("--database-url", default="", help="default: SQLite in the work folder")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=18731)
    parser.add_argument("--reuse", action="store_true", help="reuse --workdir's imported data")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "COUNTERMARK_DATA_DIR": str(work / "data"),
        "COUNTERMARK_INDEX_CHECK_MS": "50",
    }
    if args.database_url:
        env["COUNTERMARK_DATABASE_URL"] = args.database_url
    saved = work / "prepared.json"
    if args.reuse and saved.exists():  # the same catalogue, already imported by an earlier run
        key, figures = json.loads(saved.read_text())
    else:
        key, figures = prepare(args, work, env)
        saved.write_text(json.dumps([key, figures]))
    bodies = [json.dumps(d) for d in declarations(work / "catalogue.ndjson")]
    script = work / "post.lua"
    script.write_text(LUA % ("{" + ",".join(json.dumps(b) for b in bodies) + "}", key))
    base = f"http://127.0.0.1:{args.port}"
    uvicorn = str(Path(sys.executable).with_name("uvicorn"))
    countermark = str(Path(sys.executable).with_name("countermark"))
    listen = ["--host", "127.0.0.1", "--port", str(args.port)]
    # Logged like `countermark serve` (uvicorn at info, no access line a request).
    bare_app = [
        "--app-dir",
        str(REPO / "bench"),
        "http_screening_bare:app",
        "--log-level",
        "info",
        "--no-access-log",
    ]
    runs = [
        ("bare FastAPI", [uvicorn, *bare_app, *listen]),
        ("screening, 1 worker", [countermark, "serve", *listen, "--workers", "1"]),
        ("screening, 2 workers", [countermark, "serve", *listen, "--workers", "2"]),
    ]
    results: list[tuple[str, dict[str, Any]]] = []
    for name, cmd in runs:
        log = work / f"{name.split(',')[0].replace(' ', '_')}-{len(results)}.log"
        proc = serve(cmd, env=env, log=log)
        try:
            workers = int(cmd[-1]) if cmd[1] == "serve" else 0
            ready = wait_ready(base, timeout=900, proc=proc, log=log, workers=workers)
            run_wrk(base, script, duration=2, connections=args.connections, threads=args.threads)
            res = run_wrk(
                base,
                script,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
            )
            res["ready_s"] = ready
            if name == "screening, 1 worker":
                idle = run_wrk(base, script, duration=5, connections=1, threads=1)
                res["unloaded_p50"] = idle["p50"]
                res["unloaded_cmd"] = idle["cmd"]
        finally:
            stop(proc)
        loads = re.findall(
            r"index loaded: (\d+) products.*?([\d.]+) s", log.read_text(errors="replace")
        )
        res["index_load_s"] = max((float(s) for _, s in loads), default=float("nan"))
        results.append((name, res))
    report(args, work, figures, results)


def report(
    args: argparse.Namespace,
    work: Path,
    figures: dict[str, Any],
    results: list[tuple[str, dict[str, Any]]],
) -> None:
    """Print the figures with the commands and data that produced them."""
    bare = results[0][1]["rps"]
    database = args.database_url or f"SQLite in {work}"
    print(f"\n# HTTP screening benchmark: {args.products} products, text-only declarations")
    print(f"command: {' '.join(sys.argv)}")
    print(f"data: {work / 'catalogue.ndjson'} (synthetic; brands from {args.data}); {database}")
    print(f"import: {figures['import_seconds']:.1f} s = {figures['import_rate']:.0f} products/s")
    print(f"  ({figures['import_cmd']})")
    print(f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s, 2 s warm-up")
    head = ("server", "req/s", "p50 ms", "p99 ms", "vs bare", "non-2xx", "ready s", "index s")
    print("{:24} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}".format(*head))
    for name, r in results:
        row = (name, r["rps"], r["p50"], r["p99"], r["rps"] / bare, r["non2xx"], r["ready_s"])
        line = "{:24} {:9.0f} {:8.2f} {:8.2f} {:8.1%} {:8d} {:8.1f}".format(*row)
        print(f"{line} {r['index_load_s']:8.2f}")
    one = dict(results)["screening, 1 worker"]
    print(f"unloaded p50 (1 connection, 1 worker): {one['unloaded_p50']:.2f} ms")
    print(f"  ({one['unloaded_cmd']})")
    print(f"wrk command: {results[0][1]['cmd']}")


if __name__ == "__main__":
    main()
