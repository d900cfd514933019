"""A seeded customs simulation, screened through `assess` and over HTTP.

The catalogue: 3 rights holders, 12 brands, 36 products with price ranges (EUR), authorised
origins, importers and exporters, HS codes, GS1-valid GTINs and models; each product has a
genuine packaging photo and every third a known-counterfeit photo copying its template
(bench/scenario_images.py). The declarations (random.Random(--seed)):

- genuine trade: authorised traders and origin at a genuine price; parallel imports (an
  unlisted importer buying at a genuine price from an authorised origin); new factories (an
  authorised origin, an unlisted exporter). Some carry the GTIN, some the brand's own photo,
  some a commercial quantity.
- counterfeits whose context is only mostly suspicious (one or two strong signs, the rest
  plausible): a look-alike brand, a price far below the genuine minimum, an unauthorised
  origin and traders, counterfeit vocabulary, another brand's GTIN, a known-fake photo.
- unrelated goods with unrelated photos; cheap unbranded goods of the protected kinds.

Figures: AUC of risk (counterfeits against everything else, and against genuine trade
only), counterfeits flagged (yellow or red), genuine red, unrelated green, unbranded red,
beside the targets, and the lanes per kind. `assess` runs in this process on a MatchIndex
built with the catalogue's own code (bench/engine_local.py); HTTP registers the same
catalogue on a fresh `countermark serve` of the checkout and screens in batches of 100.

    .venv/bin/python bench/scenario.py [--checkout DIR] [--seed 11] [--per-kind 40] [--no-http]
        [--half tuning|held-out|all]

Weights are tuned on `--half tuning` (bench/scenario_tune.py) and reported on `--half held-out`.

520 declarations by default; on the shared 2-core machine `assess` took 3 min (photo features
of every declared image) and HTTP 1.5 min.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_local import load
from scenario_catalogue import HALVES, KINDS, build_catalogue, declarations, half
from service_session import Session

SCRIPT_CHECKOUT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 1, 15)
TARGETS = (
    "AUC >= 0.99, flagged >= 98%, genuine red <= 0.5%, unrelated green >= 99%, unbranded red <= 2%"
)


def auc(positives: list[float], negatives: list[float]) -> float:
    """The probability that a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    ordered = sorted(negatives)
    total = 0.0
    for p in positives:
        below = sum(1 for n in ordered if n < p)
        ties = sum(1 for n in ordered if n == p)
        total += below + ties / 2
    return total / (len(positives) * len(negatives))


def share(lanes: list[str], wanted: set[str]) -> str:
    n = len(lanes)
    hit = sum(1 for lane in lanes if lane in wanted)
    return f"{100 * hit / n:5.1f}% ({hit}/{n})" if n else "  n/a"


def report(
    route: str, items: list[tuple[str, dict[str, Any]]], answers: list[tuple[float, str]]
) -> None:
    """Print the figures of one route."""
    by_group: dict[str, list[tuple[float, str]]] = {}
    per_kind: dict[str, Counter[str]] = {}
    for (kind, _), (risk, lane) in zip(items, answers, strict=True):
        by_group.setdefault(KINDS[kind], []).append((risk, lane))
        per_kind.setdefault(kind, Counter())[lane] += 1
    fakes = [r for r, _ in by_group.get("counterfeit", [])]
    others = [r for g, v in by_group.items() if g != "counterfeit" for r, _ in v]
    genuine = [r for r, _ in by_group.get("genuine", [])]
    lanes = {g: [lane for _, lane in v] for g, v in by_group.items()}
    print(f"\n## {route}: {len(items)} declarations")
    print(f"  AUC (counterfeit vs all others)  {auc(fakes, others):.4f}")
    print(f"  AUC (counterfeit vs genuine)     {auc(fakes, genuine):.4f}")
    flagged = share(lanes.get("counterfeit", []), {"yellow", "red"})
    print(f"  counterfeits flagged             {flagged}")
    print(f"  genuine red                      {share(lanes.get('genuine', []), {'red'})}")
    print(f"  unrelated green                  {share(lanes.get('unrelated', []), {'green'})}")
    print(f"  unbranded red                    {share(lanes.get('unbranded', []), {'red'})}")
    print("  lanes per kind (green / yellow / red):")
    for kind in KINDS:
        if kind in per_kind:
            c = per_kind[kind]
            print(
                f"    {KINDS[kind]:11s} {kind:20s} {c['green']:4d} {c['yellow']:4d} {c['red']:4d}"
            )


def main() -> None:
    """Build the catalogue and declarations, screen them both ways and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=SCRIPT_CHECKOUT, help="source checkout")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-kind", type=int, default=40, help="declarations of each kind")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the server")
    parser.add_argument("--no-http", action="store_true", help="assess only")
    parser.add_argument(
        "--half", choices=HALVES, default="all", help="tune on one seeded half, report the other"
    )
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print("checkout:", checkout)
    print("targets:", TARGETS)
    catalogue = build_catalogue(args.seed)
    items = half(declarations(catalogue, args.seed, args.per_kind), args.seed, args.half)
    bodies = [body for _, body in items]
    genuine_kinds = ", ".join(k for k, g in KINDS.items() if g == "genuine")
    print(f"half: {args.half}, {len(items)} declarations")
    print(f"catalogue: {len(catalogue.products)} products, {len(catalogue.images)} images; "
          f"genuine kinds: {genuine_kinds}")  # fmt: skip

    started = time.perf_counter()
    engine = load(checkout)
    for product in catalogue.products:
        engine.add_product(product.key, f"holder-{product.holder}", product.body)
    for image in catalogue.images:
        engine.add_image(image.key, image.product, image.raw, image.kind)
    local = [engine.assess(body, TODAY) for body in bodies]
    report(
        f"assess ({time.perf_counter() - started:.0f} s)", items, [(a.risk, a.lane) for a in local]
    )

    if args.no_http:
        return
    started = time.perf_counter()
    with Session(checkout, args.python, holders=3) as session:
        ids: dict[str, str] = {}
        for holder in range(3):
            mine = [p for p in catalogue.products if p.holder == holder]
            made = session.register([p.body for p in mine], holder=holder)
            ids.update({p.key: pid for p, pid in zip(mine, made, strict=True)})
        holder_of = {p.key: p.holder for p in catalogue.products}
        for image in catalogue.images:
            session.image(
                ids[image.product], image.raw, image.kind, holder=holder_of[image.product]
            )
        session.settle()
        answers = session.screen(bodies)
    report(
        f"HTTP ({time.perf_counter() - started:.0f} s)",
        items,
        [(a["risk"], a["lane"]) for a in answers],
    )
    differ = sum(1 for a, b in zip(local, answers, strict=True) if a.lane != b["lane"])
    print(f"\nlanes that differ between assess and HTTP: {differ} of {len(items)}")


if __name__ == "__main__":
    main()
