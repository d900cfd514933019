"""Why `assess` ranks a ground-truth product below what TextIndex alone finds: dump the misses.

For each ground-truth pair of a dataset (catalogue registered as bench/text_accuracy_http.py
registers it), prints nothing when `assess` puts the right product first; otherwise one block:
the declaration, the right product, what came first, the text-index rank and score of each,
and each one's signals with their identity strengths (or why the right one was dropped:
not retrieved, or cut by min_similarity). Ends with counts of each cause.

    .venv/bin/python bench/text_accuracy_misses.py --dataset amazon_google [--half even|odd|all]
        [--show 40]

`--half even` takes the even-indexed pairs (in id order), the tuning half; `odd` the other.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_local import load
from text_accuracy_http import DATASETS, TODAY, declared_body, product_body, read_table

CHECKOUT = Path(__file__).resolve().parents[1]


def truth_of(base: Path, sep: str) -> dict[str, set[str]]:
    truth: dict[str, set[str]] = {}
    with (base / "gt.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=sep, quoting=csv.QUOTE_NONE):
            truth.setdefault(row["D1"], set()).add(row["D2"])
    return truth


def explain(engine: Any, body: dict[str, Any], pid: str) -> tuple[float, list[str]]:
    """Similarity of product `pid` for `body` and its identity signals, cut or not."""
    eng = engine.engine
    declaration = engine.declaration(body, TODAY)
    index = engine.index
    weights = eng.DEFAULT_WEIGHTS
    config = weights.config
    query = eng._query_text(declaration)
    field_hits = index.brands.lookup(declaration.brand) if declaration.brand else []
    described = index.brands.lookup(declaration.description)
    brand_hits = eng.merge_hits(
        eng.in_brand_position(declaration, field_hits, described, config=config)
    )
    ev = eng.Evidence(
        brand_hits=brand_hits,
        brand_field_hits=field_hits,
        gtin_owners={},
        near_copies={},
        photos={},
    )
    ctx0 = eng.DeclarationContext(
        declaration=declaration, fx=eng.NO_RATES, today=TODAY, evidence=ev
    )
    declared = eng.declaration_features(ctx0, config)
    product = index.products[pid]
    score = index.text.score(query, eng.product_document(product))
    ctx = ctx0.candidate(product, text_score=score, text_note="", facts=index.facts.get(pid))
    results, _ = importlib.import_module("matchers.features.algorithm").evaluate(
        ctx, config, declared=declared
    )
    sim = eng.similarity(results, weights=weights)
    sigs = [
        f"{r.name}={r.value:.2f}x{weights.identity.get(r.name, 0):+.2f}"
        for r in results
        if r.name in weights.identity
    ]
    return sim, [f"text={score:.3f}", *sigs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=list(DATASETS), required=True)
    parser.add_argument("--half", choices=("even", "odd", "all"), default="even")
    parser.add_argument("--show", type=int, default=40)
    parser.add_argument("--data", type=Path, default=CHECKOUT.parent / "shared" / "data")
    args = parser.parse_args()
    spec = DATASETS[args.dataset]
    base = args.data / "text" / spec[0]
    declared = read_table(base / spec[2], spec[1])
    catalogue = read_table(base / spec[3], spec[1])
    truth = truth_of(base, spec[1])
    queries = sorted(truth, key=int)
    if args.half != "all":
        queries = queries[args.half == "odd" :: 2]
    engine = load(CHECKOUT)
    for key, row in catalogue.items():
        body = product_body(row, spec)
        if body is not None:
            engine.add_product(key, "bench", body)
    causes: Counter[str] = Counter()
    shown = 0
    for q in queries:
        body = declared_body(declared[q], spec)
        matches = engine.assess(body, TODAY).matches
        ids = [m.product_id for m in matches]
        if ids and ids[0] in truth[q]:
            causes["hit"] += 1
            continue
        declaration = engine.declaration(body, TODAY)
        query = engine.engine._query_text(declaration)
        found = engine.index.text.search(query, limit=10)
        found_ids = [p for p, _ in found]
        right = sorted(truth[q])[0]
        rank = next((i for i, p in enumerate(found_ids) if p in truth[q]), None)
        if rank is None:
            cause = "not retrieved (index top-10)"
        elif not any(p in truth[q] for p in ids):
            cause = f"cut (index rank {rank + 1})"
        else:
            cause = f"reordered (index rank {rank + 1})"
        causes[cause.split(" (")[0] + (" idx#1" if rank == 0 else "")] += 1
        if shown < args.show:
            shown += 1
            print(f"\n### {q}: {cause}")
            print(f"  declared: {body}")
            sim, sigs = explain(engine, body, right)
            p = engine.index.products[right]
            print(f"  right  {right}: [{p.brand}] {p.name[:90]}  sim {sim:.3f}  {' '.join(sigs)}")
            if ids:
                top = engine.index.products[ids[0]]
                sim, sigs = explain(engine, body, ids[0])
                print(
                    f"  first  {ids[0]}: [{top.brand}] {top.name[:90]}  sim {sim:.3f}  "
                    + " ".join(sigs)
                )
            print(f"  index: {[(p, round(s, 3)) for p, s in found[:3]]}")
    n = len(queries)
    print(f"\n{args.dataset} {args.half}: {n} pairs")
    for cause, count in causes.most_common():
        print(f"  {cause:30s} {count:5d}  {100 * count / n:5.1f}%")


if __name__ == "__main__":
    main()
