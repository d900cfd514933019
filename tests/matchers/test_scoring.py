"""Combination, similarity and decision."""

from __future__ import annotations

import math

import pytest

from matchers.features.base import FeatureResult
from matchers.scoring import DEFAULT_WEIGHTS, Thresholds, Weights, combine, decide, similarity


def test_combine_is_additive_log_odds_with_signals_largest_first() -> None:
    w = Weights(version="t", values={"a": 2.0, "b": -1.0, "c": 0.5}, bias=-1.0)
    results = [
        FeatureResult("c", 1.0, "c"),
        FeatureResult("a", 0.5, "a"),
        FeatureResult("b", 1.0, "b"),
    ]
    risk, signals = combine(results, weights=w)
    assert [s.name for s in signals] == ["a", "b", "c"]
    assert [s.contribution for s in signals] == [1.0, -1.0, 0.5]
    assert risk == round(1 / (1 + math.exp(-(-1.0 + 1.0 - 1.0 + 0.5))), 4)


def test_unknown_signal_counts_zero_and_abstention_is_reported() -> None:
    risk, signals = combine(
        [FeatureResult("price_unavailable", 0.0, "no rate")], weights=DEFAULT_WEIGHTS
    )
    assert signals[0].contribution == 0.0
    assert signals[0].detail == "no rate"
    assert risk == round(1 / (1 + math.exp(3.0)), 4)
    w = Weights(version="t", values={}, bias=0.0)
    assert combine([FeatureResult("nope", 1.0, "x")], weights=w)[0] == 0.5


def test_expired_registration_discounts_positive_evidence() -> None:
    w = Weights(version="t", values={"a": 2.0, "b": -1.0}, bias=0.0, expired_factor=0.5)
    results = [FeatureResult("a", 1.0, "a"), FeatureResult("b", 1.0, "b")]
    expired = FeatureResult("registration_expired", 1.0, "expired")
    full, _ = combine(results, weights=w)
    reduced, signals = combine(results, weights=w, expired=expired)
    assert reduced < full
    assert {s.name: s.contribution for s in signals}["registration_expired"] == -1.0


def test_risk_stays_in_unit_interval_for_extreme_weights() -> None:
    w = Weights(version="t", values={"a": 1e6}, bias=0.0)
    assert combine([FeatureResult("a", 1.0, "")], weights=w)[0] == 1.0
    assert combine([FeatureResult("a", -1.0, "")], weights=w)[0] == 0.0


def test_similarity_noisy_or_and_penalties() -> None:
    assert similarity([]) == 0.0
    assert (
        similarity(
            [FeatureResult("t", 1, "", identity=0.5), FeatureResult("b", 1, "", identity=0.5)]
        )
        == 0.75
    )
    assert (
        similarity(
            [FeatureResult("t", 1, "", identity=0.8), FeatureResult("d", 1, "", identity=-0.5)]
        )
        == 0.4
    )
    assert similarity([FeatureResult("g", 1, "", identity=1.5)]) == 1.0


@pytest.mark.parametrize(
    ("risk", "implicated", "expected"),
    [
        (0.9, False, ("no_match", "green")),
        (0.1, True, ("likely_genuine", "green")),
        (0.35, True, ("suspicious", "yellow")),
        (0.69, True, ("suspicious", "yellow")),
        (0.7, True, ("likely_counterfeit", "red")),
    ],
)
def test_decide(risk: float, implicated: bool, expected: tuple[str, str]) -> None:
    assert decide(risk=risk, implicated=implicated, thresholds=Thresholds()) == expected


def test_default_weights_cover_every_signal_the_features_emit() -> None:
    emitted = {
        "text_similarity", "brand_exact", "brand_alias", "brand_lookalike", "brand_differs",
        "model_same", "model_different", "gtin_invalid", "gtin_this_product", "gtin_other_product",
        "gtin_other_brand", "gtin_unregistered", "image_copy_of_genuine",
        "image_copy_of_counterfeit",
        "photo_match", "photo_match_counterfeit", "price_plausible", "price_below_range",
        "price_far_below_range", "price_unavailable", "origin_authorized", "origin_unauthorized",
        "importer_authorized", "importer_not_authorized", "exporter_authorized",
        "exporter_not_authorized", "hs_code_consistent", "hs_code_other_heading",
        "hs_code_other_chapter", "commercial_quantity", "counterfeit_vocabulary",
    }  # fmt: skip
    assert emitted <= set(DEFAULT_WEIGHTS.values)
    genuine = ("price_plausible", "origin_authorized", "importer_authorized", "exporter_authorized")
    assert all(DEFAULT_WEIGHTS.values[n] < 0 for n in genuine)
