"""Fit the text re-ranker (matchers/text/data/rerank.json) on the tuning half of the benchmarks.

For every even-indexed ground-truth pair (in declared-id order, as bench/text_accuracy_http.py
--half even takes them) of abt_buy, amazon_google and walmart_amazon, the catalogue is
registered as that benchmark registers it and `assess` runs with a recording re-ranker: it
keeps the features of the first stage's best text candidates (matchers.text.rerank) and
returns their similarities unchanged. Each list gets one more choice, "none of them", the
right one when no candidate is the ground truth's product; each list is also kept with its
right products removed (as if the product were not registered, weighed `--open-weight`),
so the model learns how sure a best candidate is, not only which one is best. The model is
a conditional logit (softmax over each list) fitted by Newton's method with a line search
and an L2 penalty (0.3: the best tuning-half top-1 of 0.3, 1 and 3), each dataset weighing
the same; a candidate's P is then the logistic function of its score minus the score of
"none". Deterministic: no sampling, a fixed order.

    .venv/bin/python bench/text_rerank_fit.py [--l2 0.3] [--open-weight 0.05] [--write]

Prints, on the tuning half, how often the right product is first (ranking alone, and first
with P >= 0.5) for the first stage and re-ranked, and how often a list without its product
still has a candidate at P >= 0.5; `--write` stores the weights. The engine refuses a
weights file whose feature names are not `matchers.text.rerank.FEATURES`: after changing the
features, write their names (any weights) into it before refitting.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_local import load
from text_accuracy_http import DATASETS, TODAY, declared_body, product_body, read_dataset

CHECKOUT = Path(__file__).resolve().parents[1]
OUT = CHECKOUT / "matchers" / "text" / "data" / "rerank.json"
K = 10


class Recorder:
    """Stands in for the re-ranker: records feature rows, changes nothing."""

    def __init__(self, rerank: Any) -> None:
        self.k = K
        self.rerank = rerank
        self.truth: set[str] = set()
        self.lists: list[tuple[list[list[float]], list[int], list[list[float]]]] = []

    def rescore(self, *, query: str, brand: str, candidates: Any, weight: Any) -> list[float]:
        """Record the features of the list, and of the list without its right products."""
        rows = self.rerank.pair_features(
            query=query, brand=brand, candidates=candidates, weight=weight
        )
        labels = [int(c.product.product_id in self.truth) for c in candidates]
        rest = [c for c in candidates if c.product.product_id not in self.truth]
        open_rows = (
            self.rerank.pair_features(query=query, brand=brand, candidates=rest, weight=weight)
            if rest and len(rest) < len(candidates)
            else []
        )
        self.lists.append((rows, labels, open_rows))
        return [c.similarity for c in candidates]


def collect(engine: Any, data: Path, name: str, recorder: Recorder) -> int:
    """Record the even half of one dataset; the number of pairs."""
    spec = DATASETS[name]
    declared, catalogue, truth = read_dataset(data, name)
    queries = sorted(truth, key=int)[0::2]  # the tuning half
    engine.index = engine.engine.MatchIndex()
    for key, row in catalogue.items():
        body = product_body(row, spec)
        if body is not None:
            engine.add_product(key, "bench", body)
    today: date = TODAY
    for q in queries:
        recorder.truth = truth[q]
        decl = engine.declaration(declared_body(declared[q], spec), today)
        engine.engine.assess(decl, index=engine.index, today=today, reranker=recorder)
    return len(queries)


def fit_lists(lists: list[tuple[np.ndarray, np.ndarray, float]], l2: float) -> np.ndarray:
    """Conditional logit (softmax over each list, the right products as the outcome) by
    Newton's method with an L2 penalty: the score weights, no bias."""
    dim = lists[0][0].shape[1]
    beta = np.zeros(dim)

    def loss(b: np.ndarray) -> float:
        total = 0.5 * l2 * float(b @ b)
        for x, y, w in lists:
            s = x @ b
            top = s.max()
            total += w * float(np.log(np.exp(s - top).sum()) - np.log(np.exp(s[y > 0] - top).sum()))
        return total

    for _ in range(100):
        grad = l2 * beta
        hess = l2 * np.eye(dim)
        for x, y, w in lists:
            s = x @ beta
            pi = np.exp(s - s.max())
            pi /= pi.sum()
            q = np.exp(np.where(y > 0, s - s[y > 0].max(), -np.inf))
            q /= q.sum()
            mean = pi @ x
            grad += w * (mean - q @ x)
            centred = x - mean
            hess += w * (centred * pi[:, None]).T @ centred
        step = np.linalg.solve(hess, grad)
        before = loss(beta)
        while loss(beta - step) > before and float(np.max(np.abs(step))) > 1e-12:
            step = step / 2.0  # Newton's step overshoots far from the optimum
        beta -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return beta


def _with_none(rows: list[list[float]], labels: list[int], weight: float) -> tuple[Any, ...]:
    """A list with the choice "none of them" added (its own indicator column, all else 0);
    the right choice when no candidate is the product."""
    x = np.hstack([np.array(rows), np.zeros((len(rows), 1))])
    x = np.vstack([x, np.eye(1, x.shape[1], x.shape[1] - 1)])
    y = np.array([*labels, 0 if any(labels) else 1], dtype=float)
    return x, y, weight


def evaluate(lists: list[Any], score: Any, cut: float = 0.5) -> tuple[float, float]:
    """(lists whose best is right at P >= cut, share of open lists with P >= cut)."""
    hit = opened = n_open = 0
    for rows, labels, open_rows in lists:
        p = score(np.array(rows))
        best = int(np.argmax(p))  # first of equals: the better text
        hit += int(labels[best] == 1 and p[best] >= cut)
        if open_rows:
            n_open += 1
            opened += int(float(np.max(score(np.array(open_rows)))) >= cut)
    return hit, opened / max(n_open, 1)


def main() -> None:
    """Collect, fit, report, and write with --write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CHECKOUT.parent / "shared" / "data")
    parser.add_argument("--l2", type=float, default=0.3)
    parser.add_argument("--open-weight", type=float, default=0.05)
    parser.add_argument("--version", default="2026-12-03.3")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--fit-on", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    args = parser.parse_args()
    engine = load(CHECKOUT)
    rerank = __import__("matchers.text.rerank", fromlist=["pair_features"])
    per: dict[str, list[Any]] = {}
    pairs: dict[str, int] = {}
    for name in DATASETS:
        recorder = Recorder(rerank)
        pairs[name] = collect(engine, args.data, name, recorder)
        per[name] = recorder.lists
    grouped = []
    for name in args.fit_on:
        lists = per[name]
        share = 1.0 / max(len(lists), 1)
        for rows, labels, open_rows in lists:
            grouped.append(_with_none(rows, labels, share))
            if open_rows and args.open_weight > 0:
                weight = share * args.open_weight
                grouped.append(_with_none(open_rows, [0] * len(open_rows), weight))
    total = sum(g[2] for g in grouped)
    grouped = [(gx, gy, gw * len(grouped) / total) for gx, gy, gw in grouped]
    fitted_beta = fit_lists(grouped, args.l2)
    # P(this one rather than none of them) = sigmoid(score - the score of "none")
    beta = np.concatenate([[-fitted_beta[-1]], fitted_beta[:-1]])
    names = list(rerank.FEATURES)
    rank = names.index("rank_inverse")

    def first(rows: np.ndarray) -> np.ndarray:
        sim = 1.0 / (1.0 + np.exp(-rows[:, 0] * 8.0))  # first_logit is the log-odds over 8
        return sim + 1e-9 * rows[:, rank]  # equal similarities: the better text first

    def fitted(rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(beta[0] + rows @ beta[1:])))

    print(f"lists {len(grouped)}, l2 {args.l2}, open weight {args.open_weight}")
    for name, lists in per.items():
        h0, o0 = evaluate(lists, first)
        h1, o1 = evaluate(lists, fitted)
        n = pairs[name]
        r0, _ = evaluate(lists, first, cut=0.0)
        r1, _ = evaluate(lists, fitted, cut=0.0)
        print(f"  {name:15s} ranking alone {100 * r0 / n:5.1f}% -> {100 * r1 / n:5.1f}%")
        print(f"  {name:15s} even top-1 of the lists: first stage {100 * h0 / n:5.1f}%  "
              f"re-ranked {100 * h1 / n:5.1f}%   open lists matched {100 * o0:4.1f}% -> "
              f"{100 * o1:4.1f}%")  # fmt: skip
    for n, b in zip(["bias", *names], beta, strict=True):
        print(f"    {n:22s} {b:+.4f}")
    if args.write:
        out = {
            "version": args.version,
            "k": K,
            "fitted_on": "even-indexed ground-truth pairs of abt_buy, amazon_google, "
            "walmart_amazon (bench/text_rerank_fit.py)",
            "l2": args.l2,
            "open_weight": args.open_weight,
            "features": names,
            "bias": round(float(beta[0]), 6),
            "weights": [round(float(b), 6) for b in beta[1:]],
        }
        OUT.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print("wrote", OUT)


if __name__ == "__main__":
    main()
