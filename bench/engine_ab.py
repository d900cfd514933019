"""`assess` of this checkout against `matchers/engine.py` of another one: CPU and results.

Both engines run in one process on one index (this checkout's `MatchIndex`, built from
the synthetic catalogue of bench/http_screening_data.py) and the same declarations (its
text-and-trade declared items: brand, HS code, quantity, unit value, origin, importer),
alternating query by query so load drifts hit both alike. Each declaration is assessed
once by each engine (50 others warm both up first); which engine goes first alternates,
so the one going second (helped by what the first left in shared caches) is each one
half the time. Prints the median and mean thread CPU time per `assess` of each, their
ratio, and whether every result is equal (exit 1 if not). The other checkout's engine
module is loaded from its file; it imports this checkout's features, scoring and
indexes, so only the engine's own code is compared.

    .venv/bin/python bench/engine_ab.py --before /work/main/matchers/engine.py \
        --products 100000 --queries 2000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.http_screening_data import declarations, load_brands, write_catalogue  # noqa: E402
from matchers import engine  # noqa: E402
from matchers.records import Declaration, Money, PriceRange, ProductRecord  # noqa: E402
from matchers.scoring import FxRate, FxRates  # noqa: E402

TODAY = date(2026, 12, 1)
FX = FxRates((FxRate("EUR", "EUR", 1.0, TODAY),))
WARM_UP = 50


def load_engine(path: Path) -> ModuleType:
    """The engine module at `path`, under a name of its own."""
    spec = importlib.util.spec_from_file_location("engine_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["engine_before"] = module
    spec.loader.exec_module(module)
    return module


def record(i: int, row: dict[str, Any]) -> ProductRecord:
    """A catalogue line as the engine's product record."""
    price = row["price"]
    return ProductRecord(
        f"p{i:07d}", f"rh{i % 50:03d}", row["brand"], row["name"], model=row["model"],
        description=row["description"], category=row["category"],
        gtins=tuple(row["gtins"]), hs_codes=tuple(row["hs_codes"]),
        price=PriceRange(price["min"], price["max"], price["currency"]),
        authorized_origins=tuple(row["authorized_origins"]),
        authorized_importers=tuple(row["authorized_importers"]),
    )  # fmt: skip


def declared(item: dict[str, Any]) -> Declaration:
    """A bench declaration as the engine's input."""
    unit = item.get("unit_value")
    return Declaration(
        item["description"], brand=item.get("brand"), hs_code=item.get("hs_code"),
        quantity=item.get("quantity"), origin_country=item.get("origin_country"),
        importer=item.get("importer"),
        unit_value=Money(unit["amount"], unit["currency"]) if unit else None,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, required=True, help="another matchers/engine.py")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    before = load_engine(args.before)
    work = Path(tempfile.mkdtemp(prefix="cm-engine-ab-"))
    catalogue = work / "catalogue.ndjson"
    write_catalogue(catalogue, count=args.products, brands=load_brands(args.data))
    index = engine.MatchIndex()
    with catalogue.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            index.upsert_product(record(i, json.loads(line)))
    items = [declared(d) for d in declarations(catalogue, count=args.queries + WARM_UP)]
    for item in items[:WARM_UP]:  # first calls load word lists and fill caches: not measured
        before.assess(item, index=index, fx=FX, today=TODAY)
        engine.assess(item, index=index, fx=FX, today=TODAY)
    items = items[WARM_UP:]
    cpu: dict[str, list[float]] = {"before": [], "after": []}
    differ = 0
    for n, item in enumerate(items):
        order = (("before", before.assess), ("after", engine.assess))
        results = {}
        for name, assess in order if n % 2 else order[::-1]:
            started = time.thread_time_ns()
            results[name] = assess(item, index=index, fx=FX, today=TODAY)
            cpu[name].append((time.thread_time_ns() - started) / 1e6)
        differ += results["before"] != results["after"]
    med = {k: statistics.median(v) for k, v in cpu.items()}
    mean = {k: statistics.fmean(v) for k, v in cpu.items()}
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"{args.products} products, {len(items)} declarations, load {os.getloadavg()}")
    for name in ("before", "after"):
        print(f"{name:6} ms CPU per assess: median {med[name]:.3f}, mean {mean[name]:.3f}")
    print(f"after ÷ before: median {med['after'] / med['before']:.3f}, "
          f"mean {mean['after'] / mean['before']:.3f}")  # fmt: skip
    print(f"results differing: {differ} of {len(items)}")
    if differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
