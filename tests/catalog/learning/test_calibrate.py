"""The fit itself: AUC, and weights recovered from noisy outcomes on synthetic examples."""

from __future__ import annotations

import math
import random

from catalog.learning.calibrate import Example, Metrics, Options, auc, fit, improves, metrics
from matchers.weights import Weights

TRUE_BIAS, TRUE_A, TRUE_B = -2.0, 3.0, -1.0
START = Weights(version="start", values={"a": 1.0, "b": 0.0}, bias=-3.0)


def _examples(n: int, *, wrong: float, seed: int = 5) -> list[Example]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = rng.random(), float(rng.random() < 0.5)
        p = 1.0 / (1.0 + math.exp(-(TRUE_BIAS + TRUE_A * a + TRUE_B * b)))
        label = float(rng.random() < p)
        if rng.random() < wrong:
            label = 1.0 - label
        out.append(
            Example(f"s{i}", label, {"a": a, "b": b}, 1.0, 0.0, 0.0, p, weight=1.0, random=False)
        )
    return out


def test_auc_counts_pairs_and_ties() -> None:
    assert auc([0.1, 0.4, 0.35, 0.8], [0.0, 0.0, 1.0, 1.0]) == 0.75
    assert auc([0.5, 0.5], [0.0, 1.0]) == 0.5
    assert auc([0.2, 0.3], [1.0, 1.0]) is None
    m = metrics([0.0, 1.0, 0.95], [0.0, 1.0, 1.0])
    assert m.brier == round(0.05**2 / 3, 6)
    assert [(lo, n) for lo, _, n, _, _ in m.reliability] == [(0.0, 1), (0.9, 2)]


def test_noise_aware_fit_recovers_the_weights_better_than_a_plain_one() -> None:
    data = _examples(6000, wrong=0.1)
    names = ["a", "b"]
    aware = fit(data, start=START, names=names, options=Options(label_noise=0.1, prior_sd=3.0))
    plain = fit(data, start=START, names=names, options=Options(label_noise=0.0, prior_sd=3.0))
    truth = (TRUE_BIAS, TRUE_A, TRUE_B)
    assert all(abs(got - want) < 0.6 for got, want in zip(aware, truth, strict=True)), aware
    error_aware = sum(abs(g - w) for g, w in zip(aware, truth, strict=True))
    error_plain = sum(abs(g - w) for g, w in zip(plain, truth, strict=True))
    assert error_aware < error_plain  # wrong outcomes pull a plain fit towards 50/50


def test_few_outcomes_move_the_weights_little() -> None:
    few = fit(
        _examples(30, wrong=0.1), start=START, names=["a", "b"], options=Options(prior_sd=0.3)
    )
    assert abs(few[0] - START.bias) < 0.6
    assert abs(few[1] - START.values["a"]) < 0.6


def test_activation_needs_held_out_figures_that_do_not_get_worse() -> None:
    def m(auc: float | None, brier: float, n: int = 50) -> Metrics:
        return Metrics(n=n, auc=auc, brier=brier, reliability=[])

    assert improves(m(0.78, 0.19), m(0.85, 0.18))
    assert improves(m(0.78, 0.19), m(0.78, 0.19))
    assert not improves(m(0.78, 0.19), m(0.76, 0.18))  # ranks worse
    assert not improves(m(0.78, 0.19), m(0.85, 0.27))  # calibrated worse
    assert improves(m(None, 0.19), m(None, 0.18))  # one class only: Brier decides
    assert not improves(m(None, 0.19, n=0), m(None, 0.0, n=0))  # nothing held out
