"""Golden cases for the identity features: brand, text similarity, model number."""

from __future__ import annotations

from matchers.brands.index import BrandHit
from matchers.features import identity
from tests.matchers.featurekit import declaration, product


def Hit(brand: str, kind: str, score: float, text: str, evidence: str = "") -> BrandHit:
    """A brand index hit, as plain data."""
    return BrandHit(brand, ("rh",), kind, score, text, evidence)  # type: ignore[arg-type]


def test_brand_exact_names_the_product_brand() -> None:
    r = identity.brand_named([Hit("Nike", "exact", 1.0, "NIKE")], product())
    assert r is not None
    assert r.name == "brand_exact"
    assert r.value == 1.0
    assert r.identity > 0
    assert "Nike" in r.detail


def test_brand_alias_prefers_exact_when_both_present() -> None:
    hits = [Hit("Nike", "alias", 1.0, "swoosh"), Hit("Nike", "exact", 0.95, "nike")]
    r = identity.brand_named(hits, product())
    assert r is not None
    assert r.name == "brand_exact"
    only_alias = identity.brand_named([Hit("Nike", "alias", 1.0, "swoosh")], product())
    assert only_alias is not None
    assert only_alias.name == "brand_alias"


def test_brand_named_ignores_other_brands_and_lookalikes() -> None:
    assert identity.brand_named([Hit("Adidas", "exact", 1.0, "adidas")], product()) is None
    assert identity.brand_named([Hit("Nike", "lookalike", 0.9, "nkie")], product()) is None
    assert identity.brand_named([], product()) is None


def test_brand_lookalike_positive_and_negative() -> None:
    r = identity.brand_lookalike(
        [Hit("Nike", "lookalike", 0.9, "Nkie", "Nkie imitates Nike")], product()
    )
    assert r is not None
    assert r.name == "brand_lookalike"
    assert r.value == 0.9
    assert r.detail == "Nkie imitates Nike"
    assert identity.brand_lookalike([Hit("Nike", "exact", 1.0, "nike")], product()) is None


def test_brand_differs_when_brand_field_names_another_brand() -> None:
    d = declaration(brand="Puma")
    r = identity.brand_differs(d, [Hit("Puma", "exact", 1.0, "puma")], product())
    assert r is not None
    assert r.name == "brand_differs"
    assert r.identity < 0
    assert "Puma" in r.detail


def test_brand_differs_abstains_for_own_brand_alias_or_lookalike() -> None:
    p = product(brand_aliases=("Nike Inc",))
    assert identity.brand_differs(declaration(brand="NIKE"), [], p) is None
    assert identity.brand_differs(declaration(brand="nike inc"), [], p) is None
    fake = [Hit("Nike", "lookalike", 0.9, "Nkie")]
    assert identity.brand_differs(declaration(brand="Nkie"), fake, p) is None
    assert identity.brand_differs(declaration(), [], p) is None
    assert identity.brand_differs(declaration(brand="Unbranded"), [], p) is None
    assert identity.brand_differs(declaration(brand="N/A"), [], p) is None


def test_text_similarity_scales_above_the_floor_and_abstains_below() -> None:
    high = identity.text_similarity(0.95, product())
    assert high is not None
    assert high.value == 0.9
    assert high.identity == 0.9
    assert "95%" in high.detail
    assert identity.text_similarity(0.5, product()) is None
    assert identity.text_similarity(0.2, product()) is None
    noted = identity.text_similarity(0.9, product(), note=" (reading x as Nike)")
    assert noted is not None
    assert noted.detail.endswith("(reading x as Nike)")


def test_model_same_with_separators_and_colour_suffix() -> None:
    for text in ("Nike shoe DV3853-001", "nike dv3853001 black", "Nike DV3853 size 42"):
        r = identity.model_number(declaration(description=text), product())
        assert r is not None, text
        assert r.name == "model_same", text


def test_model_different_for_another_part_number() -> None:
    r = identity.model_number(declaration(description="Nike shoe FD2722-002"), product())
    assert r is not None
    assert r.name == "model_different"
    assert r.identity < 0


def test_model_abstains_without_codes_or_with_sizes_only() -> None:
    assert (
        identity.model_number(declaration(description="Nike running shoe 100ml"), product()) is None
    )
    assert (
        identity.model_number(
            declaration(description="Nike shoe XY123Z"), product(model=None, name="Shoe")
        )
        is None
    )


def test_brand_level_takes_the_strongest_hit_lookalike_first_at_equal_strength() -> None:
    hits = [Hit("Nike", "exact", 0.9, "nike"), Hit("Adidas", "lookalike", 0.9, "Adidoss")]
    r = identity.brand_level(hits)
    assert r is not None
    assert r.name == "brand_lookalike"
    assert "no registered product" in r.detail
    halved = [Hit("Samsung", "exact", 1.0, "samsung"), Hit("Sirius", "lookalike", 0.45, "series")]
    r2 = identity.brand_level(halved)
    assert r2 is not None
    assert r2.name == "brand_exact"
    assert identity.brand_level([]) is None
