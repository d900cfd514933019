"""Features with an early exit: identity first, the rest only for candidates that can be shown.

`identify` then `complete` must give exactly what `evaluate` gives, and `assess` must
return the same matches whether or not the dropped candidates were fully evaluated.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from matchers.engine import DEFAULT_THRESHOLDS, assess
from matchers.features import algorithm
from matchers.features.algorithm import CANDIDATE_FEATURES, identifying_features
from matchers.features.feature import Feature
from matchers.records import Declaration, Money, PriceRange, ProductRecord
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig
from tests.matchers.enginekit import FX, build_index
from tests.matchers.featurekit import TODAY, Candidate, declaration, product

DECLARATIONS = [
    declaration(
        description="nike air zoom pegasus 40 DV3853-001 replica",
        origin_country="CN",
        hs_code="640411",
        gtin="00195866123457",
        unit_value=Money(5.0, "EUR"),
        quantity=300,
        importer="Quick Trade Ltd",
        exporter="Nike Vietnam Co Ltd",
    ),
    declaration(description="running shoes", unit_value=Money(130.0, "EUR"), origin_country="VN"),
    declaration(description="nike pegasus", importer="Nike Europe Holding BV", quantity=2),
]


@pytest.mark.parametrize("decl", DECLARATIONS)
@pytest.mark.parametrize("expired", [False, True])
def test_identify_then_complete_is_evaluate(
    candidate: Candidate, config: FeatureConfig, decl: Declaration, expired: bool
) -> None:
    prod = product(valid_until=date(2026, 1, 1)) if expired else product()
    ctx = candidate(decl, prod, text_score=0.8)
    declared = algorithm.declaration_features(ctx, config)
    identifying = identifying_features(DEFAULT_WEIGHTS)
    identified = algorithm.identify(ctx, config, identifying=identifying)
    full, full_expired = algorithm.evaluate(ctx, config, declared=declared)
    assert algorithm.complete(ctx, config, identified, declared=declared) == (full, full_expired)
    assert (full_expired is not None) is expired
    # the similarity phase reads exactly the identity findings of the full evaluation
    identity = [r for r in full if r.name in DEFAULT_WEIGHTS.identity]
    assert sorted(identified.for_similarity, key=repr) == sorted(identity, key=repr)


def test_only_features_with_an_identity_weight_run_first() -> None:
    names = [CANDIDATE_FEATURES[i].name for i in identifying_features(DEFAULT_WEIGHTS)]
    assert "text_similarity" in names
    assert "gtin_registration" in names
    for later in ("price_vs_range", "commercial_quantity", "origin_authorized", "hs_code"):
        assert later not in names
    # a weights version that identifies by a trade signal runs that feature first too
    weights = dataclasses.replace(
        DEFAULT_WEIGHTS,
        version="t",
        identity={**DEFAULT_WEIGHTS.identity, "origin_authorized": 0.5},
    )
    assert "origin_authorized" in [
        CANDIDATE_FEATURES[i].name for i in identifying_features(weights)
    ]


# Twelve products of one text (tied similarity): their prices and origins give different
# risks, in an order unlike their ids', so a cut by id before risk would pick others.
TWINS = tuple(
    ProductRecord(
        f"p-twin-{i:02d}", "rh-nike", "Nike", "Air Max 90 sneaker", hs_codes=("640411",),
        price=PriceRange(100.0 + 10 * ((i * 7) % 12), 400.0, "EUR"),
        authorized_origins=("VN",) if i % 3 else ("CN",),
    )
    for i in range(12)
)  # fmt: skip


@pytest.mark.parametrize(
    ("decl", "risks_differ"),
    [
        (
            Declaration(
                "nike air max 90 sneaker", unit_value=Money(150.0, "EUR"), origin_country="CN"
            ),
            True,
        ),
        (Declaration("nike air max 90 sneaker", unit_value=Money(20.0, "USD"), quantity=300), True),
        (Declaration("air max sneaker nike", brand="Nike"), False),  # no trade declared
    ],
)
@pytest.mark.parametrize("shown", [1, 3, 5])
def test_the_matches_shown_are_those_of_a_full_evaluation(
    decl: Declaration, risks_differ: bool, shown: int
) -> None:
    index = build_index(TWINS)
    few = dataclasses.replace(DEFAULT_THRESHOLDS, max_matches=shown, max_candidates=12)
    every = dataclasses.replace(DEFAULT_THRESHOLDS, max_matches=12, max_candidates=12)
    a = assess(decl, index=index, thresholds=few, fx=FX, today=TODAY)
    b = assess(decl, index=index, thresholds=every, fx=FX, today=TODAY)
    assert len(b.matches) == 12  # every twin is a match: the cut has ties to break
    assert a.matches == b.matches[:shown]
    assert (len({m.risk for m in b.matches}) > 1) is risks_differ  # then risk breaks the tie


def test_a_candidate_that_cannot_be_shown_runs_no_trade_feature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    position = [f.name for f in CANDIDATE_FEATURES].index("price_vs_range")
    price = CANDIDATE_FEATURES[position]

    def counted(ctx: algorithm.CandidateContext, config: FeatureConfig) -> object:
        calls.append(ctx.product.product_id)
        return price.func(ctx, config)

    features = list(CANDIDATE_FEATURES)
    features[position] = Feature(counted, names=price.names, needs=price.needs)  # type: ignore[arg-type]
    monkeypatch.setattr(algorithm, "CANDIDATE_FEATURES", tuple(features))
    decl = Declaration(
        "nike air zoom pegasus 40 running shoe", unit_value=Money(5.0, "EUR"), brand="Nike"
    )
    result = assess(decl, index=build_index(), fx=FX, today=TODAY)
    assert [m.product_id for m in result.matches] == ["p-nike-pegasus"]
    assert calls == ["p-nike-pegasus"]  # the other Nike, Adidas ... candidates: identity only
