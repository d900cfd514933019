"""The declared features: their signals fit the weights, at start-up and at run time."""

from __future__ import annotations

import dataclasses

import pytest

from matchers.engine import assess
from matchers.features import algorithm
from matchers.features.algorithm import CANDIDATE_FEATURES, EXPIRY, FEATURES, WEIGHTED, check
from matchers.features.base import FeatureResult
from matchers.features.context import CandidateContext
from matchers.features.feature import Feature, emitted
from matchers.records import Declaration, Money
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig, SignalError
from tests.matchers.enginekit import build_index
from tests.matchers.featurekit import NIKE_GTIN, TODAY, Candidate, declaration


def test_every_declared_signal_has_a_weight_and_every_weight_a_feature() -> None:
    assert emitted(WEIGHTED) == set(DEFAULT_WEIGHTS.values) | set(DEFAULT_WEIGHTS.identity)
    assert set(DEFAULT_WEIGHTS.values) <= emitted(WEIGHTED)
    assert set(DEFAULT_WEIGHTS.identity) <= emitted(CANDIDATE_FEATURES)
    assert "registration_expired" not in DEFAULT_WEIGHTS.values  # weighed by expired_factor
    check(DEFAULT_WEIGHTS)


def test_every_feature_is_listed_once_with_a_docstring() -> None:
    funcs = [f.func for f in FEATURES]
    assert len(set(funcs)) == len(funcs)
    assert all(f.func.__doc__ for f in FEATURES)
    assert EXPIRY in FEATURES


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"values": {**DEFAULT_WEIGHTS.values, "brand_exakt": 0.6}}, "no feature emits"),
        (
            {"values": {k: v for k, v in DEFAULT_WEIGHTS.values.items() if k != "gtin_invalid"}},
            "no weight for",
        ),
        ({"identity": {**DEFAULT_WEIGHTS.identity, "text_similarty": 1.0}}, "identity strength"),
        (
            {"identity": {**DEFAULT_WEIGHTS.identity, "counterfeit_vocabulary": 0.1}},
            "identity strength",
        ),
    ],
)
def test_weights_that_do_not_fit_the_features_are_refused(
    change: dict[str, object], message: str
) -> None:
    bad = dataclasses.replace(DEFAULT_WEIGHTS, version="bad", **change)  # type: ignore[arg-type]
    with pytest.raises(SignalError, match=message):
        check(bad)
    with pytest.raises(SignalError, match=message):
        assess(
            Declaration("Nike Air Max 90 sneaker"), index=build_index(), weights=bad, today=TODAY
        )


def test_a_signal_the_feature_did_not_declare_is_an_error(
    candidate: Candidate, config: FeatureConfig
) -> None:
    def misspelt(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult:
        return FeatureResult("brand_exakt", 1.0, "misspelt")

    feature = Feature(misspelt, names=("brand_exact",))
    with pytest.raises(SignalError, match="brand_exakt"):
        feature.run(candidate(), config)


def test_a_feature_whose_needs_fail_is_not_run(candidate: Candidate, config: FeatureConfig) -> None:
    calls: list[str] = []

    def counted(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult:
        calls.append(ctx.product.product_id)
        return FeatureResult("x", 1.0, "")

    guarded = Feature(counted, names=("x",), needs=algorithm.declares_gtin)
    assert guarded.run(candidate(), config) is None
    assert calls == []
    assert guarded.run(candidate(declaration(gtin=NIKE_GTIN)), config) == FeatureResult(
        "x", 1.0, ""
    )
    assert calls == ["p-nike-1"]


def test_findings_come_in_the_declared_order(candidate: Candidate, config: FeatureConfig) -> None:
    ctx = candidate(
        declaration(
            description="nike air zoom pegasus 40 DV3853-001 replica",
            origin_country="CN",
            hs_code="640411",
            gtin="00195866123457",
            unit_value=Money(5.0, "EUR"),
            quantity=300,
        ),
        text_score=0.9,
    )
    declared = algorithm.declaration_features(ctx, config)
    results, expired = algorithm.evaluate(ctx, config, declared=declared)
    assert [r.name for r in declared] == ["counterfeit_vocabulary", "gtin_invalid"]
    own = [r.name for r in results[: len(results) - len(declared)]]
    assert results[len(own) :] == declared
    order = [n for f in CANDIDATE_FEATURES for n in f.names]
    assert own == sorted(own, key=order.index)
    spoke = {"text_similarity", "model_same", "origin_unauthorized", "price_far_below_range"}
    assert spoke | {"hs_code_consistent", "commercial_quantity"} <= set(own)
    assert expired is None
