"""The issue's case: eight 36 MP PNGs in a ~300-400 KiB body, against a real `countermark serve`.

Runs the server twice on SQLite in a temporary folder (2 image workers, the
default): once with the per-request pixel budget lifted (the behaviour before it,
the baseline) and once with the default budget (100 MP). Each posts the same body
`--repeat` times (no cache is involved: every post decodes or refuses afresh) and
prints the statuses, the median wall time and the server's CPU time (its own and its
children's, from /proc) per request.

    .venv/bin/python bench/image_budget.py
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening import serve, stop, wait_ready  # noqa: E402


def big_png(side: int) -> bytes:
    """A black greyscale PNG of side x side pixels (36 MP at 6000: about 35 KiB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(bytes((side + 1) * side), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def cpu_seconds(pid: int) -> float:
    """utime+stime of a process and its waited-for children (the pool's are counted at exit,
    so the server tree's live children are added too)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == os.getpgid(pid) or int(proc.name) == pid:  # same process group
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run(work: Path, *, budget: int | None, body: dict[str, object], repeat: int) -> None:
    from catalog.access.keys import CLI_ACTOR, create_key
    from catalog.core.db import create_database
    from catalog.core.migrate import upgrade_head
    from catalog.core.settings import Settings

    data_dir = work / ("data-budget" if budget else "data-baseline")
    env = dict(os.environ, COUNTERMARK_DATA_DIR=str(data_dir), COUNTERMARK_IMAGE_WORKERS="2")
    env.pop("COUNTERMARK_DATABASE_URL", None)
    env["COUNTERMARK_IMAGE_PIXELS_PER_REQUEST"] = str(budget or 10**12)
    env["COUNTERMARK_RATE_LIMIT_CUSTOMS"] = "1000/second"
    settings = Settings(data_dir=data_dir)
    upgrade_head(settings)
    database = create_database(settings)
    with database.session() as session:
        _, token = create_key(session, actor=CLI_ACTOR, role="customs", name="bench")
    database.dispose()
    port = 18000 + (1 if budget else 0) + os.getpid() % 500 * 2
    base = f"http://127.0.0.1:{port}"
    log = work / f"serve-{port}.log"
    proc = serve(
        [str(REPO / ".venv/bin/countermark"), "serve", "--port", str(port)], env=env, log=log
    )
    try:
        wait_ready(base, timeout=120, proc=proc, log=log, workers=1)
        headers = {"Authorization": f"Bearer {token}"}
        walls, cpus, statuses = [], [], []
        with httpx.Client(timeout=120) as client:
            for _ in range(repeat):
                cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
                response = client.post(base + "/v1/screenings", json=body, headers=headers)
                walls.append(time.perf_counter() - t0)
                time.sleep(0.5)  # let pool CPU land in /proc before reading it
                cpus.append(cpu_seconds(proc.pid) - cpu0)
                statuses.append(response.status_code)
        label = f"budget {budget:,} px" if budget else "budget lifted (baseline)"
        print(
            f"{label}: statuses {statuses}, median wall {statistics.median(walls):.3f} s "
            f"(all {[round(w, 3) for w in walls]}), median server CPU "
            f"{statistics.median(cpus):.2f} s"
        )
        if response.status_code >= 400:
            print("   ", response.json().get("detail"))
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--side", type=int, default=6000)
    args = parser.parse_args()
    png = base64.b64encode(big_png(args.side)).decode("ascii")
    body = {"description": "nike air zoom pegasus 40 running shoe", "images": [{"data": png}] * 8}
    size = len(httpx.Request("POST", "http://x", json=body).content)
    print(
        f"body: 8 PNGs of {args.side}x{args.side} ({args.side**2 / 1e6:.0f} MP each), "
        f"{size / 1024:.0f} KiB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), budget=None, body=body, repeat=args.repeat)
        run(Path(tmp), budget=100_000_000, body=body, repeat=args.repeat)


if __name__ == "__main__":
    main()
