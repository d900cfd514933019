"""First-pass `assess` CPU with the text re-ranker on and off, and the re-ranker's own share.

Builds the synthetic catalogue of bench/http_screening_data.py (default 100k products) into
a `MatchIndex` as the service does (`upsert_product`, timed: what indexing costs per
product), then assesses its text-and-trade declarations (brand, HS code, quantity, unit
value, origin, importer; no two with the same text), each once with the re-ranker and once
without, alternating which goes first, after 50 others warm both up. A product's re-ranker
texts are computed when it is first a candidate (main: cached per product in memory) or
when it is indexed (this branch), so "first pass" means a declaration never assessed before,
over a catalogue far larger than what the declarations touch: no cache is flattered. Prints
the median and mean thread CPU per `assess` with and without the re-ranker, the median CPU
of `Reranker.rescore` alone, and the build's seconds and RSS growth.

`--checkout DIR` measures another checkout's engine (e.g. main) with this bench, so both
are measured by the same code; run both in one sitting under the timing lock:

    flock /work/timing.lock sh -c '.venv/bin/python bench/rerank_cpu.py --checkout /work/main;
        .venv/bin/python bench/rerank_cpu.py'
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WARM_UP = 50
TODAY = date(2026, 12, 1)


class TimedReranker:
    """A re-ranker that records the thread CPU of each `rescore` (all `assess` reads of it)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.k: int = inner.k
        self.cpu: list[float] = []

    def rescore(self, **kwargs: Any) -> Any:
        started = time.thread_time_ns()
        out = self.inner.rescore(**kwargs)
        self.cpu.append((time.thread_time_ns() - started) / 1e6)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkout", type=Path, default=REPO, help="engine to measure")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1500)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    sys.path.insert(0, str(args.checkout.resolve()))
    sys.path.insert(1, str(REPO))
    from bench.engine_ab import FX, declared, record
    from bench.http_screening_data import declarations, load_brands, write_catalogue
    from matchers import engine
    from matchers.text.rerank import DEFAULT_RERANKER

    work = Path(tempfile.mkdtemp(prefix="cm-rerank-cpu-"))
    catalogue = work / "catalogue.ndjson"
    write_catalogue(catalogue, count=args.products, brands=load_brands(args.data))
    with catalogue.open(encoding="utf-8") as fh:
        products = [record(i, json.loads(line)) for i, line in enumerate(fh)]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    index = engine.MatchIndex()
    started = time.perf_counter()
    for product in products:
        index.upsert_product(product)
    build = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss
    items = [declared(d) for d in declarations(catalogue, count=args.queries + WARM_UP)]
    timed = TimedReranker(DEFAULT_RERANKER)
    arms: dict[str, Any] = {"on": timed, "off": None}
    for item in items[:WARM_UP]:
        for reranker in arms.values():
            engine.assess(item, index=index, fx=FX, today=TODAY, reranker=reranker)
    timed.cpu.clear()
    cpu: dict[str, list[float]] = {"on": [], "off": []}
    for n, item in enumerate(items[WARM_UP:]):
        for name in ("on", "off") if n % 2 else ("off", "on"):
            started_ns = time.thread_time_ns()
            engine.assess(item, index=index, fx=FX, today=TODAY, reranker=arms[name])
            cpu[name].append((time.thread_time_ns() - started_ns) / 1e6)
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"checkout {args.checkout.resolve()}, {args.products} products, "
          f"{len(cpu['on'])} distinct declarations, load {os.getloadavg()}")  # fmt: skip
    print(f"build (upsert_product of every product) {build:.1f} s, "
          f"{build / len(products) * 1e3:.3f} ms per product, max RSS +{grown:.0f} MB")  # fmt: skip
    for name in ("on", "off"):
        print(f"assess, re-ranker {name:3}: CPU median {statistics.median(cpu[name]):.3f} ms, "
              f"mean {statistics.fmean(cpu[name]):.3f} ms")  # fmt: skip
    share = statistics.fmean(timed.cpu) * len(timed.cpu) / sum(cpu["on"])
    print(f"Reranker.rescore alone: {len(timed.cpu)} calls, CPU median "
          f"{statistics.median(timed.cpu):.3f} ms, mean {statistics.fmean(timed.cpu):.3f} ms, "
          f"{share:.1%} of the CPU of assess with it")  # fmt: skip
    print(f"on ÷ off: median {statistics.median(cpu['on']) / statistics.median(cpu['off']):.3f}")


if __name__ == "__main__":
    main()
