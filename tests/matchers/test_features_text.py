"""Golden cases for counterfeit vocabulary and registration expiry."""

from __future__ import annotations

from datetime import date

import pytest

from matchers.features.registration import registration_expired
from matchers.features.text import counterfeit_vocabulary
from matchers.vocabulary import find_terms
from matchers.weights import FeatureConfig
from tests.matchers.featurekit import TODAY, Candidate, declaration, product


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Nike AAA+ running shoes", "aaa"),
        ("1:1 Rolex submariner", "1 1"),
        ("mirror quality handbag", "mirror quality"),
        ("super clone watch", "super clone"),
        ("bag inspired by Gucci", "inspired by"),
        ("high copy sneakers", "high copy"),
        ("FAKE jordans", "fake"),
        ("OEM quality airpods", "oem quality"),
        ("AAAAA grade bag", "aaa"),
        ("réplique sac", "replique"),
    ],
)
def test_vocabulary_finds_terms(text: str, term: str) -> None:
    assert term in [h.term for h in find_terms(text)]


@pytest.mark.parametrize(
    "text",
    [
        "rерlіса watch",  # Cyrillic е, р, і, с
        "r e p l i c a watch",
        "REPL1CA watch",
        "rep1ica watch",
    ],
)
def test_vocabulary_resists_homoglyph_and_spacing_tricks(text: str) -> None:
    assert [h.term for h in find_terms(text)] == ["replica"]


@pytest.mark.parametrize(
    "text",
    [
        "AAA batteries 24 pack alkaline",
        "copy paper A4 80gsm",
        "fake fur coat",
        "Nike OEM shoe box",
        "mens running shoes",
        "clone drive ssd adapter",
    ],
)
def test_vocabulary_ignores_innocent_uses(text: str) -> None:
    assert find_terms(text) == []


def test_longer_phrase_absorbs_its_words() -> None:
    assert [h.term for h in find_terms("super clone")] == ["super clone"]


def test_counterfeit_vocabulary_feature(candidate: Candidate, config: FeatureConfig) -> None:
    r = counterfeit_vocabulary(candidate(declaration(description="replica AAA shoes")), config)
    assert r is not None
    assert r.name == "counterfeit_vocabulary"
    assert r.value == 1.0
    assert '"AAA"' in r.detail  # quoted as declared, not in normalised form
    assert '"replica"' in r.detail
    said = counterfeit_vocabulary(
        candidate(declaration(description="Nike 1:1 Mirror-Quality")), config
    )
    assert said is not None
    assert said.detail == 'the declaration uses counterfeit vocabulary: "1:1", "Mirror-Quality"'
    weak = counterfeit_vocabulary(candidate(declaration(description="bag dupe")), config)
    assert weak is not None
    assert weak.value == 0.8
    assert counterfeit_vocabulary(candidate(declaration()), config) is None


def test_registration_expired(candidate: Candidate, config: FeatureConfig) -> None:
    r = registration_expired(candidate(prod=product(valid_until=date(2026, 1, 31))), config)
    assert r is not None
    assert r.name == "registration_expired"
    assert "2026-01-31" in r.detail
    assert registration_expired(candidate(prod=product(valid_until=TODAY)), config) is None
    assert registration_expired(candidate(prod=product(valid_until=None)), config) is None
    assert registration_expired(candidate(prod=product()), config) is None
