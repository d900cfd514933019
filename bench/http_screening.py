"""HTTP screening figures of issue 14, each against its baseline in the same run.

Steps: build a synthetic catalogue (default 100k products, brands from the evaluation
data) and load it with `countermark import`; serve the bare FastAPI baseline
(`def screen(body: dict) -> dict`, bench/http_screening_bare.py) and `countermark serve
--workers 1` of this checkout (and, with `--baseline-checkout`, of another one, e.g. main,
against the same database) and drive each with wrk on loopback:

- screenings/s with `wrk -t1 -c16`, and its ratio to the bare app;
- unloaded p50 with one connection;
- batches of 100 items (`POST /v1/screenings/batch`, `wrk -t1 -c2`), items/s;
- restart to `/readyz` 200 (stop, start again, index loaded);
- the CPU time the server's processes spent per request in each run (from /proc), the
  steadiest figure on a loaded machine, against the bare app's.

The measured servers run with the per-key rate limit lifted (`--rate-limit`, default
1000000/second, passed as COUNTERMARK_RATE_LIMIT_* for every role; the limiter itself
still runs): with the default 100/second a customs key's requests past the limit are
429s, and counting them as screenings made a figure of refusals. Every answer's status
(and every batch item's) is counted; the bench prints the counts of every wrk run and
exits 1 when any answer was not 2xx, or a socket failed.

No declaration body is sent twice in a run: every body has its own text and wrk walks
the list from where the previous run stopped (a query cache cannot flatter a figure).

Needs wrk (Debian: `apt-get install -y wrk`). Example:
    .venv/bin/python bench/http_screening.py --products 100000 --duration 10 \
        --baseline-checkout /work/main
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
local threads = {}
statuses = {}
items = {}
setup = function(thread)
  table.insert(threads, thread)
end
init = function(args)
  i = tonumber(args[1]) or 0
end
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "%s",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, bodies[i])
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  for code in string.gmatch(body, '"index":%%d+,"status":(%%d+)') do
    items[code] = (items[code] or 0) + 1
  end
end
done = function(summary, latency, requests)
  for _, name in ipairs({"statuses", "items"}) do
    local total = {}
    for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get(name)) do
        total[status] = (total[status] or 0) + n
      end
    end
    for status, n in pairs(total) do
      io.write(string.format("%%s %%s %%d\\n", name, status, n))
    end
  end
end
"""


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def run_wrk(
    url: str, script: Path, *, duration: float, connections: int, threads: int, offset: int = 0
) -> dict[str, Any]:
    """Run wrk once, its bodies from `offset` on; return requests/s, requests, p50, p99,
    errors and the command."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{int(duration)}s",
        "--latency",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
        "--",
        str(offset),
    ]
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    sent = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    statuses = {int(c): int(n) for c, n in re.findall(r"^statuses (\d+) (\d+)$", out, re.M)}
    items = {int(c): int(n) for c, n in re.findall(r"^items (\d+) (\d+)$", out, re.M)}
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(int(n) for n in socket.groups()) if socket else 0
    non2xx = sum(n for code, n in statuses.items() if not 200 <= code < 300)
    non2xx += sum(n for code, n in items.items() if not 200 <= code < 300)  # a batch's items
    return {
        "rps": rps,
        "requests": sent,
        "p50": _ms(pct.get("50", "")),
        "p99": _ms(pct.get("99", "")),
        "statuses": statuses,
        "items": items,
        "non2xx": non2xx,
        "socket_errors": socket_errors,
        "connections": connections,
        "script": script.name,
        "cmd": " ".join(cmd),
    }


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


def serve(
    cmd: list[str], *, env: dict[str, str], log: Path, cwd: Path = REPO
) -> subprocess.Popen[bytes]:
    """Start a server process logging to `log`."""
    fh = log.open("wb")
    return subprocess.Popen(
        cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
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


def session_cpu_seconds(sid: int) -> float:
    """User plus system CPU seconds of every live process of session `sid` (the server and its
    workers: each is started in its own session), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[3]) == sid:  # fields after the name: state ppid pgrp session ...
            total += int(fields[11]) + int(fields[12])  # utime stime
    return total / tick


class Bodies:
    """The declaration bodies of one wrk script, handed out once each across runs."""

    def __init__(self, script: Path, count: int) -> None:
        self.script, self.count, self.offset = script, count, 0
        self.runs: list[dict[str, Any]] = []  # every run, warm-ups too: all answers are checked

    def run(
        self, base: str, *, duration: float, connections: int, label: str, server: int,
        advance: bool = True,
    ) -> dict[str, Any]:  # fmt: skip
        """One wrk run on bodies not sent before (a warning if the list wrapped), with the CPU
        time the server's processes (session `server`) spent per answer. `advance=False`
        (the bare app, which caches nothing) leaves the bodies for the measured services."""
        cpu = session_cpu_seconds(server)
        res = run_wrk(
            base, self.script, duration=duration, connections=connections, threads=1,
            offset=self.offset,
        )  # fmt: skip
        res["cpu_ms"] = (session_cpu_seconds(server) - cpu) * 1000.0 / max(res["requests"], 1)
        if advance:
            self.offset += res["requests"] + connections  # requests still in flight at the end
        res["server"] = label
        self.runs.append(res)
        if self.offset > self.count:
            print(f"warning: {self.script.name} wrapped: bodies were repeated", file=sys.stderr)
        return res


def write_script(path: Path, bodies: list[str], *, key: str, route: str) -> Bodies:
    """A wrk script posting `bodies` to `route` in turn."""
    path.write_text(LUA % ("{" + ",".join(json.dumps(b) for b in bodies) + "}", key, route))
    return Bodies(path, len(bodies))


def measure_service(
    name: str,
    checkout: Path,
    *,
    args: argparse.Namespace,
    env: dict[str, str],
    work: Path,
    single: Bodies,
    batch: Bodies,
) -> dict[str, Any]:
    """Every figure of one checkout's `countermark serve --workers 1`."""
    base = f"http://127.0.0.1:{args.port}"
    exe = checkout / ".venv" / "bin" / "countermark"
    cmd = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(args.port), "--workers", "1"]
    res: dict[str, Any] = {"cmd": " ".join(cmd), "checkout": str(checkout)}
    slug = re.sub(r"\W+", "_", name)
    for attempt in ("start", "restart"):
        log = work / f"{slug}-{attempt}.log"
        proc = serve(cmd, env=env, log=log, cwd=checkout)
        try:
            res[f"{attempt}_s"] = wait_ready(base, timeout=900, proc=proc, log=log, workers=1)
            if attempt == "restart":
                continue
            single.run(
                base, duration=2, connections=args.connections, label=name, server=proc.pid
            )  # warm-up
            loaded = single.run(
                base,
                duration=args.duration,
                connections=args.connections,
                label=name,
                server=proc.pid,
            )
            res.update(rps=loaded["rps"], p50=loaded["p50"], p99=loaded["p99"])
            res.update(non2xx=loaded["non2xx"], wrk=loaded["cmd"], cpu_ms=loaded["cpu_ms"])
            idle = single.run(base, duration=5, connections=1, label=name, server=proc.pid)
            res.update(unloaded_p50=idle["p50"], unloaded_wrk=idle["cmd"])
            batches = batch.run(
                base, duration=args.duration, connections=2, label=name, server=proc.pid
            )
            res.update(batch_items=batches["rps"] * BATCH, batch_non2xx=batches["non2xx"])
            res.update(batch_wrk=batches["cmd"], batch_cpu_ms=batches["cpu_ms"] / BATCH)
        finally:
            stop(proc)
    return res


BATCH = 100
RATE_LIMITED_ROLES = ("CUSTOMS", "RIGHTS_HOLDER", "OFFICER", "ADMIN")


def answers_ok(runs: list[dict[str, Any]]) -> bool:
    """Print every run's status counts; False when any answer (or batch item) was not 2xx or a
    socket failed: the figures would then count refusals or errors, not screenings."""
    ok = True
    print("\nanswers (every wrk run, warm-ups included; a batch's items by their status):")
    for run in runs:
        statuses = ", ".join(f"{c}: {n}" for c, n in sorted(run["statuses"].items()))
        items = ", ".join(f"{c}: {n}" for c, n in sorted(run["items"].items()))
        line = f"  {run['server']} -c{run['connections']} {run['script']}: HTTP {statuses or '-'}"
        line += f"; items {items}" if items else ""
        line += f"; socket errors {run['socket_errors']}" if run["socket_errors"] else ""
        print(line)
        if run["non2xx"] or run["socket_errors"] or not run["statuses"]:
            ok = False
    if not ok:
        print("FAILED: some answers were not 2xx (see above); the figures are not valid")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--products", type=int, default=100_000, help="0: empty catalogue (service overhead)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--bodies", type=int, default=40_000, help="distinct single bodies")
    parser.add_argument("--batches", type=int, default=400, help="distinct batch bodies")
    parser.add_argument(
        "--rate-limit", default="1000000/second",
        help="per-key limit of every role on the measured servers (COUNTERMARK_RATE_LIMIT_*): "
        "lifted, so refusals are not counted as screenings; the limiter still runs",
    )  # fmt: skip
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="evaluation data (brand names)"
    )
    parser.add_argument("--database-url", default="", help="default: SQLite in the work folder")
    parser.add_argument(
        "--baseline-checkout", type=Path, default=None,
        help="another checkout with its own .venv (e.g. main), measured first, same database",
    )  # fmt: skip
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
        **{f"COUNTERMARK_RATE_LIMIT_{role}": args.rate_limit for role in RATE_LIMITED_ROLES},
    }
    if args.database_url:
        env["COUNTERMARK_DATABASE_URL"] = args.database_url
    saved = work / "prepared.json"
    if args.reuse and saved.exists():  # the same catalogue, already imported by an earlier run
        key, figures = json.loads(saved.read_text())
    else:
        key, figures = prepare(args, work, env)
        saved.write_text(json.dumps([key, figures]))
    catalogue = work / "catalogue.ndjson"
    items = declarations(catalogue, count=args.bodies + args.batches * BATCH)
    singles = [json.dumps(d) for d in items[: args.bodies]]
    batches = [
        json.dumps({"items": items[i : i + BATCH]}) for i in range(args.bodies, len(items), BATCH)
    ]
    single = write_script(work / "post.lua", singles, key=key, route="/v1/screenings")
    batch = write_script(work / "batch.lua", batches, key=key, route="/v1/screenings/batch")
    base = f"http://127.0.0.1:{args.port}"
    uvicorn = str(Path(sys.executable).with_name("uvicorn"))
    # Logged like `countermark serve` (uvicorn at info, no access line a request).
    bare_cmd = [
        uvicorn, "--app-dir", str(REPO / "bench"), "http_screening_bare:app",
        "--log-level", "info", "--no-access-log", "--host", "127.0.0.1", "--port", str(args.port),
    ]  # fmt: skip
    proc = serve(bare_cmd, env=env, log=work / "bare.log")
    try:
        wait_ready(base, timeout=60, proc=proc, log=work / "bare.log", workers=0)
        for seconds, connections in ((2, args.connections), (args.duration, args.connections)):
            bare = single.run(
                base, duration=seconds, connections=connections, label="bare", server=proc.pid,
                advance=False,
            )  # fmt: skip
        bare["unloaded_p50"] = single.run(
            base, duration=5, connections=1, label="bare", server=proc.pid, advance=False
        )["p50"]
    finally:
        stop(proc)
    services = []
    if args.baseline_checkout is not None:
        services.append((f"before ({args.baseline_checkout})", args.baseline_checkout.resolve()))
    services.append(("after (this checkout)", REPO))
    results = [
        (name, measure_service(
            name, checkout, args=args, env=env, work=work, single=single, batch=batch
        ))
        for name, checkout in services
    ]  # fmt: skip
    report(args, work, figures, bare, " ".join(bare_cmd), results)
    if not answers_ok([*single.runs, *batch.runs]):
        raise SystemExit(1)


def report(
    args: argparse.Namespace,
    work: Path,
    figures: dict[str, Any],
    bare: dict[str, Any],
    bare_cmd: str,
    results: list[tuple[str, dict[str, Any]]],
) -> None:
    """Print each row of issue 14's HTTP table against its baseline, with commands and data."""
    database = args.database_url or f"SQLite in {work}"
    print(f"\n# HTTP screening benchmark: {args.products} products, text-only declarations")
    print(f"command: {' '.join(sys.argv)}")
    print(f"data: {work / 'catalogue.ndjson'} (synthetic; brands from {args.data}); {database}")
    print(
        f"bodies: {args.bodies} single, {args.batches} batches of {BATCH}; each text distinct, none"
        " sent twice to a measured service (the bare app, a constant, takes them from the start)"
    )
    print(f"import: {figures['import_seconds']:.1f} s = {figures['import_rate']:.0f} products/s")
    print(f"  ({figures['import_cmd']})")
    print(f"baseline: {bare_cmd}")
    print(f"  {bare['rps']:.0f} req/s (wrk -t1 -c{args.connections}), p50 {bare['p50']:.2f} ms,"
          f" server CPU {bare['cpu_ms']:.3f} ms a request;"
          f" unloaded p50 {bare['unloaded_p50']:.2f} ms")  # fmt: skip
    print(f"rate limit on the measured servers: {args.rate_limit} a key (every role)")
    print(f"load average at the end: {os.getloadavg()}")
    head = ("figure (1 worker)", *(name for name, _ in results))
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    rows = [
        ("screenings/s (wrk -t1 -c16)", lambda r: f"{r['rps']:.0f}"),
        ("  ÷ bare FastAPI", lambda r: f"{r['rps'] / bare['rps']:.3f}"),
        ("  p50 / p99 ms", lambda r: f"{r['p50']:.2f} / {r['p99']:.2f}"),
        ("  server CPU ms per screening", lambda r: f"{r['cpu_ms']:.3f}"),
        ("  ÷ bare CPU per request", lambda r: f"{r['cpu_ms'] / bare['cpu_ms']:.2f}"),
        ("  non-2xx", lambda r: str(r["non2xx"])),
        ("unloaded p50 ms (1 connection)", lambda r: f"{r['unloaded_p50']:.2f}"),
        ("  ÷ bare unloaded p50", lambda r: f"{r['unloaded_p50'] / bare['unloaded_p50']:.2f}"),
        ("batch of 100, items/s (wrk -c2)", lambda r: f"{r['batch_items']:.0f}"),
        ("  server CPU ms per item", lambda r: f"{r['batch_cpu_ms']:.3f}"),
        ("  batch non-2xx (answers and items)", lambda r: str(r["batch_non2xx"])),
        ("first start to /readyz s", lambda r: f"{r['start_s']:.1f}"),
        ("restart to /readyz s", lambda r: f"{r['restart_s']:.1f}"),
    ]
    for label, cell in rows:
        print("| " + " | ".join([label, *(cell(r) for _, r in results)]) + " |")
    if len(results) == 2 and all(r["rps"] and r["batch_items"] for _, r in results):
        before, after = results[0][1], results[1][1]
        print(f"after ÷ before: screenings/s {after['rps'] / before['rps']:.2f}, unloaded p50 "
              f"{after['unloaded_p50'] / before['unloaded_p50']:.2f}, batch items/s "
              f"{after['batch_items'] / before['batch_items']:.2f}")  # fmt: skip
    for name, r in results:
        print(f"{name}: {r['cmd']}\n  {r['wrk']}\n  {r['unloaded_wrk']}\n  {r['batch_wrk']}")


if __name__ == "__main__":
    main()
