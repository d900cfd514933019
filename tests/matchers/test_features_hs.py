"""Golden cases for the HS code features: the nomenclature mark and heading/chapter comparison."""

from __future__ import annotations

from matchers.features import hs
from matchers.features.context import DeclarationContext
from matchers.scoring import FxRates
from matchers.weights import FeatureConfig
from tests.matchers.featurekit import TODAY, Candidate, declaration, product


def test_hs_code_heading_chapter_and_other_chapter(
    candidate: Candidate, config: FeatureConfig
) -> None:
    same = hs.hs_code(candidate(declaration(hs_code="6404.19"), product()), config)
    assert same is not None
    assert same.name == "hs_code_consistent"
    assert same.detail == "HS 640419 is in the product's heading 6404"
    # 6402 is a real heading of chapter 64 (other footwear), not the product's 6404
    chapter = hs.hs_code(
        candidate(declaration(hs_code="640299", hs_code_known=True), product()), config
    )
    assert chapter is not None
    assert chapter.name == "hs_code_other_heading"
    assert chapter.detail == "HS 640299 is in chapter 64 but not the product's heading 6404"
    other = hs.hs_code(candidate(declaration(hs_code="420221"), product()), config)
    assert other is not None
    assert other.name == "hs_code_other_chapter"
    assert other.detail == "HS 420221 is outside the product's chapters 64"
    short = hs.hs_code(candidate(declaration(hs_code="64"), product()), config)
    assert short is not None
    assert short.name == "hs_code_consistent"
    assert short.detail == "HS 64 is in the product's chapter 64"
    assert hs.hs_code(candidate(declaration(hs_code="6404"), product(hs_codes=())), config) is None
    assert hs.hs_code(candidate(declaration(), product()), config) is None


def test_a_code_not_in_hs_2022_is_not_compared_with_the_products(
    candidate: Candidate, config: FeatureConfig
) -> None:
    # 6499 is in chapter 64 but is no heading: not "another heading of the product's chapter"
    unknown = declaration(hs_code="649900", hs_code_known=False)
    assert hs.hs_code(candidate(unknown, product()), config) is None


def _declared(**changes: object) -> DeclarationContext:
    return DeclarationContext(declaration=declaration(**changes), fx=FxRates(), today=TODAY)


def test_an_unknown_code_is_a_declaration_level_signal(config: FeatureConfig) -> None:
    r = hs.hs_code_unknown(_declared(hs_code=" 999999 ", hs_code_known=False), config)
    assert r is not None
    assert r.name == "hs_code_unknown"
    assert r.value == 1.0
    assert r.detail == "HS code 999999 does not exist in the HS 2022 nomenclature"
    assert r.evidence == {"hs_code": "999999", "digits": "999999", "nomenclature": "HS 2022"}


def test_a_known_or_unchecked_code_says_nothing(config: FeatureConfig) -> None:
    assert hs.hs_code_unknown(_declared(hs_code="640411", hs_code_known=True), config) is None
    assert hs.hs_code_unknown(_declared(hs_code="999999"), config) is None  # nobody checked
    assert hs.hs_code_unknown(_declared(hs_code_known=False), config) is None  # no code
