"""Tuning aid for bench/scenario.py: the tuning half through `assess`, with the misjudged items.

Builds the scenario's catalogue and the declarations of one half (`--half tuning` by default:
weights are tuned here and reported on the held-out half with bench/scenario.py), prints the
figures and, for every counterfeit left green, genuine item sent red, unrelated item not green
or unbranded item sent red, its risk, similarity and signals, so a weight change can be judged
on the tuning half alone.

    .venv/bin/python bench/scenario_tune.py [--seed 11] [--per-kind 40] [--half tuning]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_local import load
from scenario import SCRIPT_CHECKOUT, TARGETS, TODAY, report
from scenario_catalogue import HALVES, KINDS, build_catalogue, declarations, half

WRONG = {"counterfeit": {"green"}, "genuine": {"red"}, "unrelated": {"yellow", "red"},
         "unbranded": {"red"}}  # fmt: skip


def main() -> None:
    """Assess one half and print the figures and the misjudged declarations."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=SCRIPT_CHECKOUT)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--half", choices=HALVES, default="tuning")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print("targets:", TARGETS)
    catalogue = build_catalogue(args.seed)
    items = half(declarations(catalogue, args.seed, args.per_kind), args.seed, args.half)
    engine = load(args.checkout.resolve())
    for product in catalogue.products:
        engine.add_product(product.key, f"holder-{product.holder}", product.body)
    for image in catalogue.images:
        engine.add_image(image.key, image.product, image.raw, image.kind)
    started = time.perf_counter()
    answers = [engine.assess(body, TODAY) for _, body in items]
    report(f"assess, {args.half} half ({time.perf_counter() - started:.0f} s)", items,
           [(a.risk, a.lane) for a in answers])  # fmt: skip
    print("\nmisjudged:")
    for (kind, body), a in zip(items, answers, strict=True):
        if a.lane not in WRONG[KINDS[kind]]:
            continue
        top = max(a.matches, key=lambda m: m.risk) if a.matches else None
        sim = f"{top.similarity:.3f} {top.brand} {top.name}" if top else "-"
        print(f"- {kind} {body['reference']} risk {a.risk:.3f} {a.lane} sim {sim}")
        print(f"    {body['description']!r} qty {body.get('quantity')} "
              f"{body.get('unit_value')} {body.get('origin_country')} "
              f"imp {body.get('importer')!r} exp {body.get('exporter')!r}")  # fmt: skip
        for s in a.signals:
            print(f"    {s.contribution:+.3f} {s.name}: {s.detail}")


if __name__ == "__main__":
    main()
