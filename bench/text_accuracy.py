"""Text retrieval accuracy on Abt-Buy, Amazon-Google and Walmart-Amazon beside a baseline.

The second table of each pair is the catalogue of genuine products (ProductRecord ->
product_document), the first is the declared goods (title/name, plus the brand or manufacturer
column where the declared table has one). Prints top-1/top-5 retrieval of a true match (gt.csv)
for TextIndex and for rapidfuzz token_set_ratio over the whole catalogue, on all declared items
and separately on the odd-id half (the even-id half was used to tune the weights), and pairwise
precision/recall/F1 on the ditto_magellan test split with the threshold chosen on train+valid.

    .venv/bin/python bench/text_accuracy.py [--data DIR] [--datasets abt_buy ...] [--no-baseline]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchers.records import ProductRecord
from matchers.text.index import TextIndex, product_document

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# name: (folder, separator, declared file, catalogue file, ditto folder,
#        declared text columns, catalogue (brand, name, model) columns)
DATASETS = {
    "abt_buy": ("abt_buy", "|", "abt.csv", "buy.csv", "Abt-Buy", ("name",), (None, "name", None)),
    "amazon_google": (
        "amazon_google", "#", "amazon.csv", "gp.csv", "Amazon-Google",
        ("title", "manufacturer"), ("manufacturer", "title", None),
    ),
    "walmart_amazon": (
        "walmart_amazon", "|", "walmart.csv", "amazon.csv", "Walmart-Amazon",
        ("title", "brand"), ("brand", "title", "modelno"),
    ),
}  # fmt: skip


def read_table(path: Path, sep: str) -> dict[str, dict[str, str]]:
    """Rows of a benchmark table keyed by id."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=sep, quoting=csv.QUOTE_NONE)
        return {row["id"]: row for row in reader}


def read_truth(path: Path, sep: str) -> dict[str, set[str]]:
    """Declared id -> catalogue ids of its true matches."""
    truth: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=sep, quoting=csv.QUOTE_NONE):
            truth.setdefault(row["D1"], set()).add(row["D2"])
    return truth


def declared_text(row: dict[str, str], columns: tuple[str, ...]) -> str:
    """The declared description: title/name, then the brand column if the table has one."""
    return " ".join(row[c].strip() for c in columns if row.get(c, "").strip())


def catalogue_record(key: str, row: dict[str, str], cols: tuple[str | None, ...]) -> ProductRecord:
    """A catalogue row as a registered product."""
    brand_col, name_col, model_col = cols
    return ProductRecord(
        product_id=key,
        rights_holder_id="bench",
        brand=row[brand_col].strip() if brand_col else "",
        name=row[str(name_col)].strip(),
        model=(row[model_col].strip() or None) if model_col else None,
    )


def ditto_pairs(path: Path) -> Iterator[tuple[dict[str, str], dict[str, str], int]]:
    """(left attributes, right attributes, label) of a ditto_magellan split."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            left, right, label = line.rstrip("\n").split("\t")
            yield _ditto_entity(left), _ditto_entity(right), int(label)


def _ditto_entity(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in text.split("COL ")[1:]:
        name, _, value = chunk.partition(" VAL ")
        out[name.strip()] = value.strip()
    return out


def best_threshold(scored: list[tuple[float, int]]) -> float:
    """The score threshold that maximises F1 on (score, label) pairs."""
    best, best_f1 = 0.5, -1.0
    for t in sorted({round(s, 3) for s, _ in scored}):
        f1 = prf(scored, t)[2]
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


def prf(scored: list[tuple[float, int]], threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of `score >= threshold` against the labels."""
    tp = sum(1 for s, y in scored if s >= threshold and y)
    fp = sum(1 for s, y in scored if s >= threshold and not y)
    fn = sum(1 for s, y in scored if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(name: str, data: Path, *, baseline: bool) -> None:
    """Print retrieval and pairwise figures for one dataset."""
    folder, sep, decl_file, cat_file, _, decl_cols, cat_cols = DATASETS[name]
    base = data / "text" / folder
    declared = read_table(base / decl_file, sep)
    catalogue = read_table(base / cat_file, sep)
    truth = read_truth(base / "gt.csv", sep)
    index = TextIndex()
    docs: dict[str, str] = {}
    start = time.perf_counter()
    for key, row in catalogue.items():
        docs[key] = product_document(catalogue_record(key, row, cat_cols))
        index.add(key, docs[key])
    build_s = time.perf_counter() - start
    keys = list(docs)
    choices = [utils.default_process(docs[k]) for k in keys]
    counts = {s: [0, 0, 0, 0, 0] for s in ("all", "odd")}  # n, top1, top5, base1, base5
    times: list[float] = []
    for qid, true_ids in sorted(truth.items(), key=lambda kv: int(kv[0])):
        query = declared_text(declared[qid], decl_cols)
        t0 = time.perf_counter()
        hits = [k for k, _ in index.search(query, limit=5)]
        times.append(time.perf_counter() - t0)
        row = [1, hits[:1] and hits[0] in true_ids, bool(set(hits) & true_ids), 0, 0]
        if baseline:
            found = process.extract(
                utils.default_process(query), choices, scorer=fuzz.token_set_ratio,
                processor=None, limit=5,
            )  # fmt: skip
            ranked = [keys[i] for _, _, i in found]
            row[3], row[4] = ranked[0] in true_ids, bool(set(ranked) & true_ids)
        for split in ("all", "odd") if int(qid) % 2 else ("all",):
            counts[split] = [c + int(bool(v)) for c, v in zip(counts[split], row, strict=True)]
    times.sort()
    print(f"\n## {name}: catalogue {cat_file} ({len(catalogue)}), declared {decl_file} "
          f"({len(truth)} with a true match); build {build_s:.2f} s, "
          f"search p50 {1000 * times[len(times) // 2]:.2f} ms")  # fmt: skip
    for split, (n, t1, t5, b1, b5) in counts.items():
        label = "all declared" if split == "all" else "odd-id half (held out from tuning)"
        line = f"  {label:36s} n={n:5d}  TextIndex top-1 {_pct(t1, n)}  top-5 {_pct(t5, n)}"
        if baseline:
            line += f"   | baseline token_set_ratio top-1 {_pct(b1, n)}  top-5 {_pct(b5, n)}"
        print(line)
    pairwise(name, data, index, decl_cols, cat_cols)


def _pct(count: int, n: int) -> str:
    return f"{100 * count / n:5.1f}%"


def pairwise(name: str, data: Path, index: TextIndex, decl_cols: tuple[str, ...],
             cat_cols: tuple[str | None, ...]) -> None:  # fmt: skip
    """Pairwise P/R/F1 on the ditto test split, threshold tuned on train+valid."""
    folder = data / "text" / "ditto_magellan" / DATASETS[name][4]

    def scored(split: str) -> list[tuple[float, int]]:
        out = []
        for left, right, label in ditto_pairs(folder / f"{split}.txt"):
            query = declared_text(left, decl_cols)
            doc = product_document(catalogue_record("x", right, cat_cols))
            out.append((index.score(query, doc), label))
        return out

    threshold = best_threshold(scored("train") + scored("valid"))
    p, r, f1 = prf(scored("test"), threshold)
    print(f"  ditto_magellan test pairs: threshold {threshold:.3f} (from train+valid)  "
          f"precision {100 * p:.1f}%  recall {100 * r:.1f}%  F1 {100 * f1:.1f}%")  # fmt: skip


def main() -> None:
    """Parse arguments and run every requested dataset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print("data:", args.data.resolve())
    for name in args.datasets:
        run(name, args.data, baseline=not args.no_baseline)


if __name__ == "__main__":
    main()
