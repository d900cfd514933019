"""Golden cases for weighing brand hits by where they stand in the declaration."""

from __future__ import annotations

from matchers.brands.index import BrandHit
from matchers.features.brandhits import in_brand_position, merge_hits
from matchers.weights import FeatureConfig
from tests.matchers.featurekit import declaration


def fake(text: str, brand: str = "Nike", score: float = 0.9) -> BrandHit:
    return BrandHit(brand, ("rh-nike",), "lookalike", score, text, f"{text} imitates {brand}")


def exact(text: str, brand: str = "Nike") -> BrandHit:
    return BrandHit(brand, ("rh-nike",), "exact", 1.0, text, f"{text} is {brand}")


def test_lookalike_where_a_brand_goes_counts_fully(config: FeatureConfig) -> None:
    hits = in_brand_position(
        declaration(description="Nkie running shoes"), [], [fake("Nkie")], config=config
    )
    assert [h.score for h in hits] == [0.9]


def test_lookalike_in_the_brand_field_counts_fully(config: FeatureConfig) -> None:
    d = declaration(description="running shoes Nkie", brand="Nkie")
    hits = in_brand_position(d, [fake("Nkie")], [fake("Nkie")], config=config)
    assert [h.score for h in hits] == [0.9, 0.45]


def test_lookalike_deep_in_the_description_counts_half(config: FeatureConfig) -> None:
    d = declaration(description="portable travel desk stand Estandd for tablets")
    (hit,) = in_brand_position(d, [], [fake("Estandd", brand="E-Stand")], config=config)
    assert hit.score == 0.45
    assert "half weight" in hit.evidence


def test_a_common_word_is_never_a_lookalike(config: FeatureConfig) -> None:
    d = declaration(description="portable travel desk stand for tablets", brand="Mike")
    hits = [fake("stand", brand="E-Stand")]
    assert in_brand_position(d, [fake("Mike")], hits, config=config) == []


def test_lookalike_beside_the_real_brand_counts_half(config: FeatureConfig) -> None:
    d = declaration(description="Nkie shoes", brand="Nike")
    hits = in_brand_position(d, [exact("Nike")], [fake("Nkie")], config=config)
    assert [(h.kind, h.score) for h in hits] == [("exact", 1.0), ("lookalike", 0.45)]


def test_lookalike_beside_another_named_brand_counts_half(config: FeatureConfig) -> None:
    d = declaration(description="Samsung Siriuss 8 LCD TV")
    hits = in_brand_position(
        d, [], [exact("Samsung", "Samsung"), fake("Siriuss", "Sirius")], config=config
    )
    assert [(h.brand, h.score) for h in hits] == [("Samsung", 1.0), ("Sirius", 0.45)]


def test_a_brand_that_is_a_common_word_needs_a_distinctive_word_beside_it(
    config: FeatureConfig,
) -> None:
    apple = exact("Apple", "Apple")
    assert (
        in_brand_position(declaration(description="apple juice"), [], [apple], config=config) == []
    )
    d = declaration(description="Apple iPhone 15")
    assert in_brand_position(d, [], [apple], config=config) == [apple]


def test_merge_keeps_one_hit_per_finding_in_a_stable_order() -> None:
    merged = merge_hits([fake("Nkie", score=0.8), exact("Nike"), fake("Nkie", score=0.9)])
    assert [(h.kind, h.score) for h in merged] == [("exact", 1.0), ("lookalike", 0.9)]
    assert merge_hits(list(reversed(merged))) == merged
