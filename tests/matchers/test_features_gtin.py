"""Golden cases for the GTIN features."""

from __future__ import annotations

from matchers.features import gtin
from tests.matchers.featurekit import declaration, product

NIKE_GTIN = "00195866123458"
ADIDAS_GTIN = "4006381333931"  # a valid EAN-13


def test_gtin_key_pads_valid_codes_and_rejects_bad_ones() -> None:
    assert gtin.gtin_key("4006381333931") == "04006381333931"
    assert gtin.gtin_key(" 4006-381 333931") == "04006381333931"
    assert gtin.gtin_key("96385074") == "00000096385074"
    assert gtin.gtin_key("4006381333932") is None  # check digit
    assert gtin.gtin_key("12345") is None
    assert gtin.gtin_key("abc") is None
    assert gtin.gtin_key("") is None


def test_gtin_invalid_positive_negative_abstain() -> None:
    bad = gtin.gtin_invalid(declaration(gtin="00195866123457"))
    assert bad is not None
    assert bad.name == "gtin_invalid"
    assert "00195866123457" in bad.detail
    assert gtin.gtin_invalid(declaration(gtin=NIKE_GTIN)) is None
    assert gtin.gtin_invalid(declaration()) is None


def test_gtin_registered_to_this_product() -> None:
    p = product()
    r = gtin.gtin_registration(declaration(gtin=NIKE_GTIN), p, registered={NIKE_GTIN: [p]})
    assert r is not None
    assert r.name == "gtin_this_product"
    assert r.identity > 0.9


def test_gtin_registered_to_another_brand_is_strong_evidence() -> None:
    other = product(product_id="p-adidas", brand="Adidas", name="Superstar", gtins=(ADIDAS_GTIN,))
    r = gtin.gtin_registration(
        declaration(gtin=ADIDAS_GTIN), product(), registered={"0" + ADIDAS_GTIN: [other]}
    )
    assert r is not None
    assert r.name == "gtin_other_brand"
    assert "Adidas" in r.detail


def test_gtin_registered_to_another_product_of_the_same_brand() -> None:
    sibling = product(product_id="p-nike-2", name="Air Max 90", gtins=(ADIDAS_GTIN,))
    r = gtin.gtin_registration(
        declaration(gtin=ADIDAS_GTIN), product(), registered={"0" + ADIDAS_GTIN: [sibling]}
    )
    assert r is not None
    assert r.name == "gtin_other_product"
    assert r.identity < 0


def test_gtin_unregistered_and_abstentions() -> None:
    r = gtin.gtin_registration(declaration(gtin=ADIDAS_GTIN), product(), registered={})
    assert r is not None
    assert r.name == "gtin_unregistered"
    assert (
        gtin.gtin_registration(declaration(gtin=ADIDAS_GTIN), product(gtins=()), registered={})
        is None
    )
    assert gtin.gtin_registration(declaration(gtin="123"), product(), registered={}) is None
    assert gtin.gtin_registration(declaration(), product(), registered={}) is None
