"""Text retrieval before and after: the same searches on the old and the new TextIndex, compared.

The old `matchers/text/index.py` is read from git (`--rev`, default `main`) and run beside the
current one, over the benchmark sets: every declared item of the three text accuracy sets
(bench/text_accuracy.py: Abt-Buy, Amazon-Google, Walmart-Amazon), and the synthetic catalogues
and declarations of bench/engine_speed.py. Each search is compared on its shortlist (slots and
trigram coverage, exactly) and its results (keys and scores, exactly), once on the fresh index
and once after a tenth of the documents were replaced and a twentieth removed (tombstones).
The new index is compared twice: as built, and frozen to .npy files then thawed from them
memory-mapped read-only (as a worker loads the index snapshot), the churn then going to its tail.
Prints the number of searches and of differences per set; exits 1 on any difference.

    .venv/bin/python bench/text_identity.py [--rev main] [--sizes 1000,10000,100000]
        [--queries 300] [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import engine_speed  # noqa: E402
import text_accuracy  # noqa: E402

from matchers.text.index import TextIndex, features, product_document  # noqa: E402


def differences(old: Any, new: TextIndex, queries: Iterable[str]) -> tuple[int, int, list[str]]:
    """(searches, differing searches, the first few differing queries)."""
    n = bad = 0
    shown: list[str] = []
    for query in queries:
        n += 1
        q_old, q_new = old_features(query), features(query)
        same = q_old == q_new
        if same and q_new.text:
            (s1, c1), (s2, c2) = old.candidates(q_old), new.candidates(q_new)
            same = np.array_equal(s1, s2) and np.array_equal(c1, c2)
        same = same and old.search(query, limit=10) == new.search(query, limit=10)
        if not same:
            bad += 1
            if len(shown) < 5:
                shown.append(query)
    return n, bad, shown


def old_features(query: str) -> Any:
    return sys.modules["old_text_index"].features(query)


def both(old_cls: Any, docs: dict[str, str]) -> tuple[Any, TextIndex]:
    old, new = old_cls(), TextIndex()
    for key, text in docs.items():
        old.add(key, text)
        new.add(key, text)
    return old, new


def mapped(index: TextIndex, folder: Path) -> TextIndex:
    """`index` frozen to .npy files and thawed from them, memory-mapped read-only."""
    arrays, state = index.freeze()
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
    return TextIndex.thaw(
        {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in arrays}, state
    )


def churn(indexes: Iterable[Any], docs: dict[str, str], seed: int) -> None:
    """Replace a tenth of the documents (with another document's text) and remove a twentieth."""
    rng = random.Random(seed)
    keys = sorted(docs)
    replaced = rng.sample(keys, len(keys) // 10)
    donors = rng.sample(keys, len(replaced))
    removed = rng.sample(keys, len(keys) // 20)
    for index in indexes:
        for key, donor in zip(replaced, donors, strict=True):
            index.add(key, docs[donor] + " refurbished")
        for key in removed:
            index.remove(key)


def report(label: str, old: Any, new: TextIndex, queries: list[str], seed: int,
           docs: dict[str, str]) -> int:  # fmt: skip
    total = 0
    with tempfile.TemporaryDirectory(prefix="text-identity-") as folder:
        thawed = mapped(new, Path(folder))
        for stage in ("fresh", "after churn"):
            if stage == "after churn":
                churn((old, new, thawed), docs, seed)
            for kind, index in (("built", new), ("mapped", thawed)):
                t0 = time.perf_counter()
                n, bad, shown = differences(old, index, queries)
                total += bad
                example = f"  e.g. {shown}" if shown else ""
                print(f"  {label:42s} {kind:6s} {stage:12s} searches {n:6d}  differences {bad}  "
                      f"({time.perf_counter() - t0:.1f} s){example}")  # fmt: skip
                sys.stdout.flush()
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", default="main")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--data", type=Path, default=text_accuracy.DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    old_cls = engine_speed.old_text_module(args.rev).TextIndex
    total = 0
    print(f"old: matchers/text/index.py at {args.rev}; new: the working tree")
    for name, (
        folder,
        sep,
        decl_file,
        cat_file,
        _,
        decl_cols,
        cat_cols,
    ) in text_accuracy.DATASETS.items():
        base = args.data / "text" / folder
        declared = text_accuracy.read_table(base / decl_file, sep)
        catalogue = text_accuracy.read_table(base / cat_file, sep)
        docs = {
            k: product_document(text_accuracy.catalogue_record(k, row, cat_cols))
            for k, row in catalogue.items()
        }
        queries = [text_accuracy.declared_text(row, decl_cols) for row in declared.values()]
        old, new = both(old_cls, docs)
        label = f"{name} ({len(docs)} products)"
        total += report(label, old, new, queries, args.seed, docs)
    brands = engine_speed.load_brands(args.data)
    for size in (int(s) for s in args.sizes.split(",") if s):
        rng = random.Random(args.seed)
        products = engine_speed.make_products(size, brands, rng)
        docs = {p.product_id: product_document(p) for p in products}
        queries = [
            engine_speed.declared_text(rng.choice(products), rng) for _ in range(args.queries)
        ]
        old, new = both(old_cls, docs)
        total += report(f"engine_speed synthetic {size}", old, new, queries, args.seed, docs)
    print(f"total differences: {total}")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
