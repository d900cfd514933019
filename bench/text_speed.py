"""Text retrieval speed: TextIndex.search (shortlist + rerank) against brute-force rapidfuzz.

Synthetic catalogues of 1k, 10k, 100k (and 1M) products are generated from the real vocabulary
of the text datasets: brands from the Walmart-Amazon brand column, product words from all
catalogue titles, model numbers in the datasets' shapes ("AB123CD", "XY-4567"), sizes. Queries
are catalogue names edited the way declarations differ (words dropped, a typo, words shuffled).
Prints per-query p50/p99 of TextIndex.search beside rapidfuzz process.extractOne(token_set_ratio)
over the whole catalogue (sampled with fewer queries at large sizes), build time and memory.

    .venv/bin/python bench/text_speed.py [--data DIR] [--sizes 1000 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import re
import string
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchers.text.index import TextIndex

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TITLE_FILES = [
    ("abt_buy/abt.csv", "|", "name"),
    ("abt_buy/buy.csv", "|", "name"),
    ("amazon_google/amazon.csv", "#", "title"),
    ("amazon_google/gp.csv", "#", "title"),
    ("walmart_amazon/walmart.csv", "|", "title"),
    ("walmart_amazon/amazon.csv", "|", "title"),
]


def vocabulary(data: Path) -> tuple[list[str], list[str]]:
    """Real brands and product words (no digits) from the text datasets, most frequent first."""
    brands: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for rel, sep, col in TITLE_FILES:
        with (data / "text" / rel).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=sep, quoting=csv.QUOTE_NONE):
                for w in re.findall(r"[A-Za-z][A-Za-z'-]+", row[col]):
                    words[w.lower()] += 1
                if row.get("brand"):
                    brands[row["brand"].strip()] += 1
    return [b for b, _ in brands.most_common(2000)], [w for w, n in words.most_common(6000)]


def model_number(rnd: random.Random) -> str:
    """A model number shaped like the datasets' ones."""
    letters = "".join(rnd.choices(string.ascii_uppercase, k=rnd.randint(1, 3)))
    digits = "".join(rnd.choices(string.digits, k=rnd.randint(3, 5)))
    shape = rnd.random()
    if shape < 0.4:
        return letters + digits
    if shape < 0.7:
        return f"{letters}-{digits}{rnd.choice(['', 'B', 'BK', 'W', 'US'])}"
    return letters + digits + "".join(rnd.choices(string.ascii_uppercase, k=2))


def products(n: int, brands: list[str], words: list[str], seed: int = 1) -> list[str]:
    """n synthetic product names: brand, 3-8 product words (Zipf-like), model number, a size."""
    rnd = random.Random(seed)
    weights = [1.0 / (i + 10) for i in range(len(words))]
    out = []
    for _ in range(n):
        name = [rnd.choice(brands), *rnd.choices(words, weights=weights, k=rnd.randint(3, 8))]
        if rnd.random() < 0.8:
            name.append(model_number(rnd))
        if rnd.random() < 0.3:
            name.append(f"{rnd.choice([8, 16, 32, 64, 100, 250, 500])}{rnd.choice(['GB', 'ml'])}")
        out.append(" ".join(name))
    return out


def declared(name: str, rnd: random.Random) -> str:
    """A declaration-like variant of a product name."""
    words = name.split()
    if len(words) > 3:
        words.pop(rnd.randrange(1, len(words)))
    if rnd.random() < 0.5:
        i = rnd.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rnd.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    if rnd.random() < 0.3:
        rnd.shuffle(words)
    return " ".join(words)


def rss_mb() -> float:
    """Resident memory of this process in MB."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values (nearest rank), in ms."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(size: int, brands: list[str], words: list[str], queries: int) -> None:
    """Build an index of `size` products and time both searches."""
    names = products(size, brands, words)
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    index = TextIndex()
    for i, name in enumerate(names):
        index.add(f"p{i}", name)
    build = time.perf_counter() - start
    memory = rss_mb() - before
    rnd = random.Random(size)
    picks = [rnd.randrange(size) for _ in range(queries)]
    texts = [declared(names[i], rnd) for i in picks]
    fast: list[float] = []
    found = 0
    for i, text in zip(picks, texts, strict=True):
        t0 = time.perf_counter()
        hits = index.search(text, limit=10)
        fast.append(time.perf_counter() - t0)
        found += bool(hits) and hits[0][0] == f"p{i}"
    choices = [utils.default_process(n) for n in names]
    brute_n = max(3, min(queries, int(2_000_000 / size)))
    brute: list[float] = []
    agree = 0
    for i, text in zip(picks[:brute_n], texts[:brute_n], strict=True):
        t0 = time.perf_counter()
        best = process.extractOne(
            utils.default_process(text), choices, scorer=fuzz.token_set_ratio, processor=None
        )
        brute.append(time.perf_counter() - t0)
        agree += best is not None and best[2] == i
    p50, bp50 = pct(fast, 0.5), pct(brute, 0.5)
    print(
        f"{size:>9,d} | build {build:7.1f} s {memory:7.0f} MB | TextIndex p50 {p50:6.2f} ms "
        f"p99 {pct(fast, 0.99):6.2f} ms top-1 {100 * found / len(fast):5.1f}% (n={len(fast)}) | "
        f"brute force p50 {bp50:8.1f} ms top-1 {100 * agree / len(brute):5.1f}% (n={len(brute)}) "
        f"| speed-up x{bp50 / p50:,.0f}",
        flush=True,
    )
    del index


def main() -> None:
    """Parse arguments and run each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print("data (vocabulary):", (args.data / "text").resolve())
    brands, words = vocabulary(args.data)
    print(f"vocabulary: {len(brands)} brands, {len(words)} words; one process, one thread")
    for size in args.sizes:
        run(size, brands, words, args.queries)


if __name__ == "__main__":
    main()
