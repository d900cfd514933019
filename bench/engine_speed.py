"""Engine speed: assess() per text-only query at 1k/10k/100k synthetic products, beside brute force.

Products are realistic catalogue lines: brand + product type + model number + attributes
(brands from ../shared/data/brands when present). Queries are declared texts made from a
random product (words dropped or reordered, a typo, lower case, extra words). In the same
run, a brute-force baseline scores every catalogue line with rapidfuzz `token_set_ratio`
(`process.extractOne`). Prints p50/p99 per query, the ratio, build time, memory and how
often the top match is the product the query came from.

    .venv/bin/python bench/engine_speed.py [--sizes 1000,10000,100000] [--queries 300]
        [--genuine N]   # also: N true pairs of walmart_amazon and abt_buy as genuine trade
        [--before REV]  # also: the same queries, alternately, on an index whose text
                        # retrieval is matchers/text/index.py of git revision REV (a baseline)
"""

from __future__ import annotations

import argparse
import csv
import gc
import importlib.util
import random
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matchers.engine import MatchIndex, assess  # noqa: E402
from matchers.records import Declaration, PriceRange, ProductRecord  # noqa: E402
from matchers.text.index import product_document  # noqa: E402

T = TypeVar("T")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TYPES = (
    "running shoe", "sneaker", "backpack", "handbag", "wallet", "watch", "sunglasses",
    "headphones", "earbuds", "phone case", "charger", "power bank", "t-shirt", "hoodie",
    "jacket", "cap", "perfume", "lipstick", "face cream", "toy car", "building set",
    "drill", "printer cartridge", "memory card", "router", "smartwatch", "speaker",
)  # fmt: skip
ATTRS = (
    "black", "white", "red", "navy", "leather", "wireless", "waterproof", "32gb", "64gb",
    "100ml", "50ml", "size 42", "xl", "slim", "pro", "mini", "2-pack", "stainless steel",
    "usb-c", "bluetooth", "limited edition", "women", "men", "kids", "matte", "gold",
)  # fmt: skip
FALLBACK_BRANDS = ("Nike", "Adidas", "Sony", "Gucci", "Apple", "Samsung", "LEGO", "Chanel")


def load_brands(data: Path) -> list[str]:
    """Brand names from the shared brand lists, or a short built-in list without them."""
    names: dict[str, None] = {}
    for name, col in (
        ("interbrand_best_global_brands_2024.csv", "brand"),
        ("walmart_amazon_brands.csv", "brand"),
    ):
        path = data / "brands" / name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row[col].strip():
                        names.setdefault(row[col].strip(), None)
    return list(names) or list(FALLBACK_BRANDS)


def model_number(rng: random.Random) -> str:
    letters = "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=rng.randint(1, 3)))
    digits = "".join(rng.choices("0123456789", k=rng.randint(3, 5)))
    return letters + digits + (f"-{rng.randint(1, 999):03d}" if rng.random() < 0.4 else "")


def make_products(n: int, brands: list[str], rng: random.Random) -> list[ProductRecord]:
    """`n` synthetic products: brand + type + model + 1-3 attributes."""
    out = []
    for i in range(n):
        brand = rng.choice(brands)
        model = model_number(rng)
        name = " ".join([rng.choice(TYPES), model, *rng.sample(ATTRS, rng.randint(1, 3))])
        low = round(rng.uniform(10, 500), 2)
        out.append(
            ProductRecord(
                product_id=f"p{i:07d}", rights_holder_id=f"rh-{brand}", brand=brand, name=name,
                model=model, price=PriceRange(low, low * 1.3, "EUR"),
            )
        )  # fmt: skip
    return out


def declared_text(p: ProductRecord, rng: random.Random) -> str:
    """A declared description derived from a product: some words dropped, shuffled, typos."""
    words = product_document(p).split()
    keep = [w for w in words if rng.random() > 0.2] or words[:2]
    if rng.random() < 0.3:
        rng.shuffle(keep)
    if rng.random() < 0.3 and keep:
        i = rng.randrange(len(keep))
        w = keep[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 1)
            keep[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    extra = rng.choice(["", "", "mens", "new", "for export", "assorted"])
    return " ".join([*keep, extra]).strip().lower()


def old_text_module(rev: str) -> types.ModuleType:
    """`matchers/text/index.py` as it is at git revision `rev`, loaded as its own module."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:matchers/text/index.py"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    # A real file, so numba's on-disk cache (`cache=True` in that source) has a place to live.
    folder = Path(tempfile.mkdtemp(prefix="old-text-index-"))
    path = folder / "old_text_index.py"
    path.write_text(f"# matchers/text/index.py at {rev}\n{source}", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_text_index", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module.__name__] = module
    spec.loader.exec_module(module)
    return module


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn: Callable[[], T]) -> tuple[T, float, float]:
    """`fn()`, its wall-clock ms and its CPU ms (this thread: less noisy on a shared machine)."""
    w, c = time.perf_counter(), time.thread_time()
    out = fn()
    return out, (time.perf_counter() - w) * 1000, (time.thread_time() - c) * 1000


def build(products: list[ProductRecord], text_class: Any = None) -> tuple[MatchIndex, float]:
    """A MatchIndex of `products` (its text retrieval an instance of `text_class` if given)."""
    t0 = time.perf_counter()
    index = MatchIndex()
    if text_class is not None:
        index.text = text_class()
    for p in products:
        index.upsert_product(p)
    return index, time.perf_counter() - t0


def run(size: int, queries: int, baseline_queries: int, brands: list[str], seed: int,
        before: Any = None) -> None:  # fmt: skip
    rng = random.Random(seed)
    products = make_products(size, brands, rng)
    gc.collect()
    before_rss = rss_mb()
    index, build_s = build(products)
    grown = rss_mb() - before_rss
    old = build(products, before)[0] if before is not None else None
    picks = [rng.choice(products) for _ in range(queries)]
    decls = [Declaration(declared_text(p, rng)) for p in picks]
    today = date(2026, 11, 27)
    for d in decls[:20]:  # warm caches
        assess(d, index=index, today=today)
        if old is not None:
            assess(d, index=old, today=today)
    wall, cpu, text_cpu, brand_cpu, hits = [], [], [], [], 0
    old_cpu: list[float] = []
    old_text_cpu: list[float] = []
    for p, d in zip(picks, decls, strict=True):
        if old is not None:  # alternately, so both see the same load on a shared machine
            old_cpu.append(timed(partial(assess, d, index=old, today=today))[2])
        a, w, c = timed(partial(assess, d, index=index, today=today))
        wall.append(w)
        cpu.append(c)
        hits += bool(a.matches) and a.matches[0].product_id == p.product_id
    # The two retrievals alone, to show where a query's time goes: on fresh queries of the same
    # kind, since the brand index caches what it has seen (assess above saw its queries once).
    for d in (Declaration(declared_text(rng.choice(products), rng)) for _ in range(queries)):
        if old is not None:
            old_text_cpu.append(timed(partial(old.text.search, d.description, limit=10))[2])
        text_cpu.append(timed(partial(index.text.search, d.description, limit=10))[2])
        brand_cpu.append(timed(partial(index.brands.lookup, d.description))[2])
    docs = [product_document(p) for p in products]
    base_wall, base_cpu, base_hits = [], [], 0
    for p, d in list(zip(picks, decls, strict=True))[:baseline_queries]:
        best, w, c = timed(
            partial(process.extractOne, d.description, docs, scorer=fuzz.token_set_ratio)
        )
        base_wall.append(w)
        base_cpu.append(c)
        base_hits += best is not None and products[best[2]].product_id == p.product_id
    rest = pct(cpu, 0.5) - pct(text_cpu, 0.5) - pct(brand_cpu, 0.5)
    print(
        f"{size:>7} products: build {build_s:.1f} s, max RSS +{grown:.0f} MB\n"
        f"  assess       wall p50 {pct(wall, 0.5):8.3f} p99 {pct(wall, 0.99):8.3f} ms | "
        f"CPU p50 {pct(cpu, 0.5):8.3f} p99 {pct(cpu, 0.99):8.3f} ms | n={len(wall)} | "
        f"top-1 {hits / len(wall):.1%}\n"
        f"  brute force  wall p50 {pct(base_wall, 0.5):8.3f} ms | "
        f"CPU p50 {pct(base_cpu, 0.5):8.3f} ms | n={len(base_wall)} | "
        f"top-1 {base_hits / len(base_wall):.1%}\n"
        f"  speed-up (brute/assess, CPU p50) x{pct(base_cpu, 0.5) / pct(cpu, 0.5):.1f}; assess CPU "
        f"p50 split: text search {pct(text_cpu, 0.5):.3f} ms, brand lookup "
        f"{pct(brand_cpu, 0.5):.3f} ms (p50s of separate fresh queries), rest (features, scoring, "
        f"rereads) {rest:.3f} ms"
    )
    if old is not None:
        print(
            f"  before (text retrieval of the baseline revision), same queries, alternating:\n"
            f"  assess before CPU p50 {pct(old_cpu, 0.5):8.3f} p99 {pct(old_cpu, 0.99):8.3f} ms"
            f" -> after p50 {pct(cpu, 0.5):.3f} p99 {pct(cpu, 0.99):.3f} ms "
            f"(after/before p50 {pct(cpu, 0.5) / pct(old_cpu, 0.5):.2f}, "
            f"p99 {pct(cpu, 0.99) / pct(old_cpu, 0.99):.2f})\n"
            f"  text search before CPU p50 {pct(old_text_cpu, 0.5):.3f} p99 "
            f"{pct(old_text_cpu, 0.99):.3f} ms -> after p50 {pct(text_cpu, 0.5):.3f} p99 "
            f"{pct(text_cpu, 0.99):.3f} ms (after/before p50 "
            f"{pct(text_cpu, 0.5) / pct(old_text_cpu, 0.5):.2f})"
        )
    sys.stdout.flush()


def genuine_check(data: Path, limit: int) -> None:
    """Genuine trade: true product pairs of the text benchmarks, declared (title and brand
    column) against the other table as the catalogue; counts verdicts and top-1."""
    sets = (
        ("walmart_amazon", "walmart.csv", "amazon.csv", "title"),
        ("abt_buy", "abt.csv", "buy.csv", "name"),
    )
    for name, declared_file, catalogue_file, col in sets:
        folder = data / "text" / name
        if not folder.exists():
            print(f"genuine check: {folder} missing, skipped")
            continue

        def rows(f: str, folder: Path = folder) -> list[dict[str, str]]:
            with (folder / f).open(encoding="utf-8", errors="replace") as fh:
                return list(csv.DictReader(fh, delimiter="|"))

        index = MatchIndex()
        for r in rows(catalogue_file):
            # abt_buy has no brand column: its names start with the brand
            brand = r.get("brand") or r[col].split()[0]
            index.upsert_product(
                ProductRecord(r["id"], f"rh-{brand}", brand, r[col], model=r.get("modelno") or None)
            )
        declared = {r["id"]: r for r in rows(declared_file)}
        verdicts: dict[str, int] = {}
        top1 = n = 0
        for pair in rows("gt.csv")[:limit]:
            r = declared[pair["D1"]]
            a = assess(
                Declaration(r[col], brand=r.get("brand") or None),
                index=index,
                today=date(2026, 11, 27),
            )
            verdicts[a.verdict] = verdicts.get(a.verdict, 0) + 1
            top1 += bool(a.matches) and a.matches[0].product_id == pair["D2"]
            n += 1
        alarms = verdicts.get("suspicious", 0) + verdicts.get("likely_counterfeit", 0)
        print(
            f"genuine check {name}: n={n} true pairs, top-1 {top1 / n:.1%}, false alarms "
            f"(suspicious or likely_counterfeit) {alarms} = {alarms / n:.1%}, "
            f"verdicts {dict(sorted(verdicts.items()))}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--baseline-queries", type=int, default=40)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--genuine", type=int, default=0, help="also check N true pairs per text set")
    ap.add_argument("--before", help="git revision whose text retrieval is the baseline")
    args = ap.parse_args()
    brands = load_brands(args.data)
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(f"data: {len(brands)} brands from {args.data / 'brands'}; synthetic products, text only")
    print(f"python {sys.version.split()[0]}, one process; per query wall-clock and CPU (thread) ms")
    before = old_text_module(args.before).TextIndex if args.before else None
    if args.before:
        print(f"baseline: matchers/text/index.py at {args.before} (the rest of the engine as is)")
    for size in (int(s) for s in args.sizes.split(",") if s):
        run(size, args.queries, args.baseline_queries, brands, args.seed, before)
    if args.genuine:
        genuine_check(args.data, args.genuine)


if __name__ == "__main__":
    main()
