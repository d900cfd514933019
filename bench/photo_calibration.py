"""Refit the photo confidence (`matchers.images.photo.Calibration`) on the tuning photos only.

The 31 grocery_store iconic images are indexed; each natural photo of the tuning split
(even index within its product, as bench/checks_photo.py splits them) is searched twice:
once as is (a positive when the right product comes first, with its evidence) and
once with its own product removed (the best evidence left is a negative: what an
unregistered product would score). A logistic on evidence is fitted with equal priors
by Newton's method. The report split (odd indices) is never used for the fit; the
figures at the fitted and at the shipped calibration are printed for both splits.

    .venv/bin/python bench/photo_calibration.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checks_photo import grocery
from matchers.images.decode import load_image
from matchers.images.photo import Calibration, PhotoIndex, extract_features

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
Floats = npt.NDArray[np.float64]


def samples(
    index: PhotoIndex, refs: dict[str, bytes], queries: list[tuple[str, bytes]]
) -> tuple[Floats, Floats, Floats]:
    """Evidence of right first answers, of wrong first answers, and with own product removed."""
    right, wrong, removed = [], [], []
    for truth, blob in queries:
        first = index.evidence(blob)
        if first and first[0][1] == truth:
            right.append(first[0][0])
        elif first:
            wrong.append(first[0][0])
        index.remove(truth)
        first = index.evidence(blob)
        removed.append(first[0][0] if first else 0.0)
        index.add(truth, refs[truth])
    return np.array(right), np.array(wrong), np.array(removed)


def fit(positive: Floats, negative: Floats) -> tuple[float, float]:
    """(evidence_at_half, evidence_per_e) of a logistic fitted with equal class priors."""
    x = np.concatenate([positive, negative])
    y = np.concatenate([np.ones(len(positive)), np.zeros(len(negative))])
    w = np.where(y == 1, 0.5 / len(positive), 0.5 / len(negative))
    design = np.stack([x, np.ones_like(x)], axis=1)
    theta = np.zeros(2)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ (w * (p - y))
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + 1e-9 * np.eye(2)
        theta -= np.linalg.solve(hessian, gradient)
    slope, intercept = theta
    return float(-intercept / slope), float(1.0 / slope)


def main() -> None:
    """Fit on the tuning split; print the figures of both calibrations on both splits."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    iconic, tune = grocery(args.data, "tune")
    _, report = grocery(args.data, "report")

    def features(path: Path) -> bytes:
        return extract_features(load_image(path.read_bytes()))

    refs = {c: features(p) for c, p in iconic}
    index = PhotoIndex(calibration=Calibration(min_confidence=0.0))
    for image_id, blob in refs.items():
        index.add(image_id, blob)
    split = {
        "tune": samples(index, refs, [(c, features(p)) for c, p in tune]),
        "report": samples(index, refs, [(c, features(p)) for c, p in report]),
    }
    right, _, removed = split["tune"]
    at_half, per_e = fit(right, removed)
    shipped = Calibration()
    print(
        f"fitted on {len(right)} right answers and {len(removed)} own-product-removed searches "
        f"of the tuning split: evidence_at_half {at_half:.1f}, evidence_per_e {per_e:.1f} "
        f"(shipped: {shipped.evidence_at_half}, {shipped.evidence_per_e})"
    )
    for name, (h, e) in {
        "fitted": (at_half, per_e),
        "shipped": (shipped.evidence_at_half, shipped.evidence_per_e),
    }.items():
        bar = h + e * math.log(shipped.min_confidence / (1 - shipped.min_confidence))
        for label, (r, w, x) in split.items():
            n = len(x)
            print(
                f"{name} calibration, {label} split ({n} photos): confidence >= "
                f"{shipped.min_confidence} at evidence {bar:.1f}: right first and confident "
                f"{(r >= bar).sum() / n:.1%}, "
                f"wrong first and confident {(w >= bar).sum() / n:.1%}, "
                f"confident with own product removed {(x >= bar).mean():.1%}"
            )


if __name__ == "__main__":
    main()
