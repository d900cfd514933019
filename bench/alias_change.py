"""Time a brand-alias change applied to a 100k index loaded from its snapshot, as a worker does.

Builds the synthetic catalogue of bench/http_screening_data.py into a `MatchIndex`
(`upsert_product`, as bench/rerank_cpu.py), writes it as an index snapshot to a temporary
folder and loads it back (the load timed in-process, median of `--loads`), then applies
`--changes` distinct alias changes (each a new alias for another (holder, brand), never
one repeated) through `IndexHolder._apply_steps`, timing each one's thread CPU. Prints the
snapshot's size, the load median and the alias-change median (ms).

`--checkout DIR` measures another checkout's code (e.g. main) with this bench; run both in
one sitting under the timing lock:

    flock /work/timing.lock sh -c '.venv/bin/python bench/alias_change.py --checkout /work/main;
        .venv/bin/python bench/alias_change.py'
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkout", type=Path, default=REPO, help="code to measure")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=7)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    sys.path.insert(0, str(args.checkout.resolve()))
    sys.path.insert(1, str(REPO))
    from sqlalchemy import create_engine

    from bench.engine_ab import record
    from bench.http_screening_data import load_brands, write_catalogue
    from catalog.index.catalog_delta import Delta
    from catalog.index.snapshot import SnapshotStore
    from catalog.index.worker_index import IndexHolder
    from catalog.products.validation import brand_key
    from matchers import engine

    work = Path(tempfile.mkdtemp(prefix="cm-alias-change-"))
    catalogue = work / "catalogue.ndjson"
    write_catalogue(catalogue, count=args.products, brands=load_brands(args.data))
    with catalogue.open(encoding="utf-8") as fh:
        products = [record(i, json.loads(line)) for i, line in enumerate(fh)]
    index = engine.MatchIndex()
    for product in products:
        index.upsert_product(product)
    store = SnapshotStore(work / "index", key="bench")
    store.write(catalog_version=1, index=index, aliases={})
    loads = []
    for _ in range(args.loads):
        started = time.perf_counter()
        snapshot = store.read()
        loads.append((time.perf_counter() - started) * 1e3)
    assert snapshot is not None
    holder = IndexHolder(engine=create_engine("sqlite://"), check_interval=0.0, listen=False)
    holder.index, holder.catalog_version = snapshot.index, 1
    sizes = collections.Counter((p.rights_holder_id, brand_key(p.brand)) for p in products)
    brands = [key for key, _ in sizes.most_common()][:: max(1, len(sizes) // args.changes)]
    aliases: dict[tuple[str, str], list[str]] = {}
    cpu, touched = [], []
    for n, key in enumerate(brands[: args.changes], 2):
        aliases = {**aliases, key: [f"alias {n}"]}
        started = time.thread_time_ns()
        holder.apply(Delta(catalog_version=n, aliases=aliases))
        cpu.append((time.thread_time_ns() - started) / 1e6)
        touched.append(sizes[key])
    print(f"checkout      {args.checkout}")
    print(f"snapshot      {store.path.stat().st_size / 1e6:.1f} MB, {len(products)} products")
    print(f"load          median {statistics.median(loads):.1f} ms of {[round(x) for x in loads]}")
    print(f"alias change  median {statistics.median(cpu):.1f} ms CPU of {[round(x) for x in cpu]}")
    print(f"products of the changed brands {touched}")


if __name__ == "__main__":
    main()
