"""Golden cases for the GTIN features."""

from __future__ import annotations

from matchers.features import gtin
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig
from tests.matchers.featurekit import ADIDAS_GTIN, NIKE_GTIN, Candidate, declaration, product


def test_gtin_key_pads_valid_codes_and_rejects_bad_ones() -> None:
    assert gtin.gtin_key("4006381333931") == "04006381333931"
    assert gtin.gtin_key(" 4006-381 333931") == "04006381333931"
    assert gtin.gtin_key("96385074") == "00000096385074"
    assert gtin.gtin_key("4006381333932") is None  # check digit
    assert gtin.gtin_key("12345") is None
    assert gtin.gtin_key("abc") is None
    assert gtin.gtin_key("") is None


def test_gtin_invalid_positive_negative_abstain(
    candidate: Candidate, config: FeatureConfig
) -> None:
    bad = gtin.gtin_invalid(candidate(declaration(gtin="00195866123457")), config)
    assert bad is not None
    assert bad.name == "gtin_invalid"
    assert "00195866123457" in bad.detail
    assert gtin.gtin_invalid(candidate(declaration(gtin=NIKE_GTIN)), config) is None
    assert gtin.gtin_invalid(candidate(), config) is None


def test_gtin_registered_to_this_product(candidate: Candidate, config: FeatureConfig) -> None:
    p = product()
    ctx = candidate(declaration(gtin=NIKE_GTIN), p, gtin_owners={NIKE_GTIN: [p]})
    r = gtin.gtin_registration(ctx, config)
    assert r is not None
    assert r.name == "gtin_this_product"
    assert DEFAULT_WEIGHTS.identity[r.name] * r.value > 0.9


def test_gtin_registered_to_another_brand_is_strong_evidence(
    candidate: Candidate, config: FeatureConfig
) -> None:
    other = product(product_id="p-adidas", brand="Adidas", name="Superstar", gtins=(ADIDAS_GTIN,))
    ctx = candidate(declaration(gtin=ADIDAS_GTIN), gtin_owners={"0" + ADIDAS_GTIN: [other]})
    r = gtin.gtin_registration(ctx, config)
    assert r is not None
    assert r.name == "gtin_other_brand"
    assert "Adidas" in r.detail


def test_gtin_registered_to_another_product_of_the_same_brand(
    candidate: Candidate, config: FeatureConfig
) -> None:
    sibling = product(product_id="p-nike-2", name="Air Max 90", gtins=(ADIDAS_GTIN,))
    ctx = candidate(declaration(gtin=ADIDAS_GTIN), gtin_owners={"0" + ADIDAS_GTIN: [sibling]})
    r = gtin.gtin_registration(ctx, config)
    assert r is not None
    assert r.name == "gtin_other_product"
    assert DEFAULT_WEIGHTS.identity[r.name] < 0


def test_gtin_unregistered_and_abstentions(candidate: Candidate, config: FeatureConfig) -> None:
    r = gtin.gtin_registration(candidate(declaration(gtin=ADIDAS_GTIN)), config)
    assert r is not None
    assert r.name == "gtin_unregistered"
    no_gtins = candidate(declaration(gtin=ADIDAS_GTIN), product(gtins=()))
    assert gtin.gtin_registration(no_gtins, config) is None
    assert gtin.gtin_registration(candidate(declaration(gtin="123")), config) is None
    assert gtin.gtin_registration(candidate(), config) is None


def test_gtin_invalid_says_check_digit_only_when_the_length_is_fine(
    candidate: Candidate, config: FeatureConfig
) -> None:
    digit = gtin.gtin_invalid(candidate(declaration(gtin="00195866123457")), config)
    assert digit is not None
    assert (
        digit.detail
        == 'declared GTIN "00195866123457" is not a valid GTIN: its check digit is wrong'
    )
    short = gtin.gtin_invalid(candidate(declaration(gtin="1958661")), config)
    assert short is not None
    assert short.detail.endswith("a GTIN has 8, 12, 13 or 14 digits")
    assert "check digit" not in short.detail
