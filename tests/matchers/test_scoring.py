"""Combination, similarity and decision."""

from __future__ import annotations

import math

import pytest

from matchers.features.base import FeatureResult
from matchers.scoring import (
    DEFAULT_WEIGHTS,
    Thresholds,
    Weights,
    combine,
    decide,
    nearly_as_similar,
    similarity,
)
from matchers.weights import SignalError


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


def test_abstention_is_reported_with_no_contribution() -> None:
    risk, signals = combine(
        [FeatureResult("price_unavailable", 0.0, "no rate")], weights=DEFAULT_WEIGHTS
    )
    assert signals[0].contribution == 0.0
    assert signals[0].detail == "no rate"
    assert risk == round(1 / (1 + math.exp(3.0)), 4)


def test_a_signal_the_weights_do_not_know_is_an_error_not_a_zero() -> None:
    w = Weights(version="t", values={"brand_exact": 0.6}, bias=0.0)
    with pytest.raises(SignalError, match="brand_exakt"):
        combine([FeatureResult("brand_exakt", 1.0, "x")], weights=w)


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


def test_similarity_is_a_log_odds_model_of_identity_evidence() -> None:
    w = Weights(version="t", identity={"t": 4.0, "b": 2.0, "d": -3.0}, identity_bias=-2.0)
    assert similarity([], weights=w) == round(1 / (1 + math.exp(2.0)), 4)  # the prior alone
    assert similarity([FeatureResult("t", 0.5, "")], weights=w) == 0.5  # log-odds 0
    both = [FeatureResult("t", 1, ""), FeatureResult("b", 0.5, "")]
    assert similarity(both, weights=w) == round(1 / (1 + math.exp(-(-2.0 + 4.0 + 1.0))), 4)
    # evidence adds: the two together are surer than either alone
    assert similarity(both, weights=w) > similarity(both[:1], weights=w)
    # evidence against the product subtracts log-odds
    against = [*both, FeatureResult("d", 1, "")]
    assert similarity(against, weights=w) == 0.5
    assert 0.0 < similarity([FeatureResult("d", 1, "")] * 2, weights=w) < 0.001


def test_similarity_ignores_signals_without_an_identity_weight() -> None:
    w = Weights(version="t", identity={"t": 4.0}, identity_bias=-2.0)
    found = [FeatureResult("t", 1, ""), FeatureResult("price", 1, "")]
    assert similarity(found, weights=w) == similarity(found[:1], weights=w)


def test_a_brand_alone_never_makes_a_match_a_model_number_does() -> None:
    cut = Thresholds().min_similarity
    for name in ("brand_exact", "brand_alias", "brand_lookalike"):
        assert similarity([FeatureResult(name, 1.0, "")], weights=DEFAULT_WEIGHTS) < cut, name
    assert similarity([FeatureResult("model_same", 1.0, "")], weights=DEFAULT_WEIGHTS) > cut
    # the text alone counts from a text score of 0.75 (value 0.5), as the floor says
    text = DEFAULT_WEIGHTS.identity["text_similarity"]
    assert DEFAULT_WEIGHTS.identity_bias + text * 0.5 == 0.0


def test_the_nearest_product_is_judged_in_identity_log_odds() -> None:
    # a sure match and a sibling also very likely: the sibling's odds are far below the best's
    assert not nearly_as_similar(0.9953, 0.9996, margin=1.0)
    assert nearly_as_similar(0.99, 0.995, margin=1.0)
    assert nearly_as_similar(0.6, 0.7, margin=1.0)
    assert not nearly_as_similar(0.5, 0.9, margin=1.0)
    assert nearly_as_similar(1.0, 1.0, margin=0.0)


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


def test_signals_of_genuine_trade_lower_risk() -> None:
    genuine = ("price_plausible", "origin_authorized", "importer_authorized", "exporter_authorized")
    assert all(DEFAULT_WEIGHTS.values[n] < 0 for n in genuine)


def test_risk_is_identity_times_the_conditional_plus_the_rest_times_otherwise() -> None:
    w = Weights(version="t", values={"s": 2.0}, bias=0.0, identity={"t": 1.0})
    found = [FeatureResult("s", 1.0, "s"), FeatureResult("t", 1.0, "t")]
    conditional = round(1 / (1 + math.exp(-2.0)), 4)
    assert combine(found, weights=w, identity=0.5)[0] == round(0.5 * conditional, 4)
    assert combine(found, weights=w, identity=0.5, otherwise=0.8)[0] == round(
        0.5 * conditional + 0.4, 4
    )
    assert {s.name: s.contribution for s in combine(found, weights=w)[1]}["t"] == 0.0
