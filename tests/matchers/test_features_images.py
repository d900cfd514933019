"""Golden cases for the image features (near-copy and photo hits are plain data here)."""

from __future__ import annotations

from matchers.features import images
from matchers.images.nearcopy import NearCopyHit
from matchers.images.photo import PhotoHit
from matchers.records import ImageRecord
from tests.matchers.featurekit import product


def Copy(image_id: str, similarity: float) -> NearCopyHit:
    """A near-copy index hit, as plain data."""
    return NearCopyHit(image_id, 4, similarity, "phash", "phash 4 bits apart")


def Photo(image_id: str, score: float) -> PhotoHit:
    """A photo index hit, as plain data."""
    return PhotoHit(image_id, score, 52, 0.4, "52 inliers")


GENUINE = ImageRecord("img-g", "p-nike-1", "genuine")
FAKE = ImageRecord("img-f", "p-nike-1", "counterfeit")


def test_near_copy_of_genuine_and_of_counterfeit_are_told_apart() -> None:
    pairs = [(Copy("img-g", 0.95), GENUINE), (Copy("img-f", 0.9), FAKE)]
    g = images.near_copy_of_genuine(pairs, product())
    f = images.near_copy_of_counterfeit(pairs, product())
    assert g is not None
    assert g.name == "image_copy_of_genuine"
    assert g.value == 0.95
    assert "img-g" in g.detail
    assert "phash" in g.detail
    assert f is not None
    assert f.name == "image_copy_of_counterfeit"
    assert f.value == 0.9
    assert "img-f" in f.detail


def test_near_copy_abstains_without_hits_of_its_kind() -> None:
    assert images.near_copy_of_genuine([], product()) is None
    assert images.near_copy_of_counterfeit([(Copy("img-g", 0.95), GENUINE)], product()) is None
    assert images.near_copy_of_genuine([(Copy("img-f", 0.9), FAKE)], product()) is None


def test_photo_match_takes_the_best_hit() -> None:
    other = ImageRecord("img-g2", "p-nike-1", "packaging")
    pairs = [(Photo("img-g", 0.7), GENUINE), (Photo("img-g2", 0.8), other)]
    r = images.photo_match(pairs, product())
    assert r is not None
    assert r.name == "photo_match"
    assert r.value == 0.8
    assert "img-g2" in r.detail
    assert images.photo_match_counterfeit(pairs, product()) is None


def test_photo_match_of_a_known_counterfeit() -> None:
    r = images.photo_match_counterfeit([(Photo("img-f", 0.85), FAKE)], product())
    assert r is not None
    assert r.name == "photo_match_counterfeit"
    assert r.value == 0.85
    assert images.photo_match([(Photo("img-f", 0.85), FAKE)], product()) is None
    assert images.photo_match([], product()) is None
