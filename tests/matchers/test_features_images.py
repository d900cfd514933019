"""Golden cases for the image features (near-copy and photo hits are plain data here)."""

from __future__ import annotations

from matchers.features import images
from matchers.images.nearcopy import NearCopyHit
from matchers.images.photo import PhotoHit
from matchers.records import ImageRecord
from matchers.weights import FeatureConfig
from tests.matchers.featurekit import Candidate


def Copy(image_id: str, similarity: float, meaning: str = "copy") -> NearCopyHit:
    """A near-copy index hit, as plain data."""
    return NearCopyHit(image_id, 4, similarity, "phash", "phash 4 bits apart", meaning)


def Photo(image_id: str, score: float) -> PhotoHit:
    """A photo index hit, as plain data."""
    return PhotoHit(image_id, score, 52, 0.4, "52 inliers")


GENUINE = ImageRecord("img-g", "p-nike-1", "genuine")
FAKE = ImageRecord("img-f", "p-nike-1", "counterfeit")


def test_near_copy_of_genuine_and_of_counterfeit_are_told_apart(
    candidate: Candidate, config: FeatureConfig
) -> None:
    ctx = candidate(
        near_copies={"p-nike-1": [(Copy("img-g", 0.95), GENUINE), (Copy("img-f", 0.9), FAKE)]}
    )
    g = images.near_copy_of_genuine(ctx, config)
    f = images.near_copy_of_counterfeit(ctx, config)
    assert g is not None
    assert g.name == "image_copy_of_genuine"
    assert g.value == 0.95
    assert g.detail == (
        "a declared image is a copy of the brand's registered photo of "
        "Nike Air Zoom Pegasus 40 running shoe"
    )
    assert g.evidence is not None
    assert g.evidence["reference_image_id"] == "img-g"
    assert g.evidence["match"] == "phash 4 bits apart"  # expert detail beside the sentence
    assert f is not None
    assert f.name == "image_copy_of_counterfeit"
    assert f.value == 0.9
    assert f.detail == (
        "a declared image is a copy of a photo of a known counterfeit of "
        "Nike Air Zoom Pegasus 40 running shoe"
    )


def test_sentences_name_the_reference_by_product_and_kind_never_by_id(
    candidate: Candidate, config: FeatureConfig
) -> None:
    ctx = candidate(near_copies={"p-nike-1": [(Copy("img-g", 1.0, "mirrored copy"), GENUINE)]})
    g = images.near_copy_of_genuine(ctx, config)
    assert g is not None
    assert "mirrored copy of the brand's registered photo of Nike Air Zoom" in g.detail
    for jargon in ("img-g", "phash", "bits", "view", "CIELAB", "homography"):
        assert jargon not in g.detail


def test_the_nearest_reference_wins_by_its_margin(config: FeatureConfig) -> None:
    mirrored = [(Copy("img-g", 1.0), GENUINE), (Copy("img-f", 0.875), FAKE)]
    assert images.nearest_wins(mirrored, margin_full=0.125) == [(Copy("img-g", 1.0), GENUINE)]
    close = [(Copy("img-g", 0.9), GENUINE), (Copy("img-f", 0.95), FAKE)]
    kept = images.nearest_wins(close, margin_full=0.125)
    assert [(h.image_id, h.similarity) for h, _ in kept] == [("img-f", 0.38)]  # 0.95 x 0.4
    tie = [(Copy("img-g", 0.9), GENUINE), (Copy("img-f", 0.9), FAKE)]
    assert images.nearest_wins(tie, margin_full=0.125) == []
    alone = [(Copy("img-f", 0.9), FAKE)]
    assert images.nearest_wins(alone, margin_full=0.125) == alone


def test_near_copy_abstains_without_hits_of_its_kind(
    candidate: Candidate, config: FeatureConfig
) -> None:
    assert images.near_copy_of_genuine(candidate(), config) is None
    genuine = candidate(near_copies={"p-nike-1": [(Copy("img-g", 0.95), GENUINE)]})
    assert images.near_copy_of_counterfeit(genuine, config) is None
    fake = candidate(near_copies={"p-nike-1": [(Copy("img-f", 0.9), FAKE)]})
    assert images.near_copy_of_genuine(fake, config) is None
    elsewhere = candidate(near_copies={"p-other": [(Copy("img-g", 0.95), GENUINE)]})
    assert images.near_copy_of_genuine(elsewhere, config) is None


def test_photo_match_takes_the_best_hit(candidate: Candidate, config: FeatureConfig) -> None:
    other = ImageRecord("img-g2", "p-nike-1", "packaging")
    ctx = candidate(
        photos={"p-nike-1": [(Photo("img-g", 0.7), GENUINE), (Photo("img-g2", 0.8), other)]}
    )
    r = images.photo_match(ctx, config)
    assert r is not None
    assert r.name == "photo_match"
    assert r.value == 0.8
    assert r.evidence is not None
    assert r.evidence["reference_image_id"] == "img-g2"
    assert r.detail == (
        "a declared photo shows Nike Air Zoom Pegasus 40 running shoe, "
        "matching the brand's registered packaging image"
    )
    assert images.photo_match_counterfeit(ctx, config) is None


def test_photo_match_of_a_known_counterfeit(candidate: Candidate, config: FeatureConfig) -> None:
    ctx = candidate(photos={"p-nike-1": [(Photo("img-f", 0.85), FAKE)]})
    r = images.photo_match_counterfeit(ctx, config)
    assert r is not None
    assert r.name == "photo_match_counterfeit"
    assert r.value == 0.85
    assert images.photo_match(ctx, config) is None
    assert images.photo_match(candidate(), config) is None


def test_a_hit_too_far_off_to_be_a_copy_is_same_brand_packaging(config: FeatureConfig) -> None:
    cut = config.image_copy_min
    sibling = [(Copy("img-g", 0.86), GENUINE), (Copy("img-f", 0.8), FAKE)]
    kept = images.nearest_wins(sibling, margin_full=0.125, copy_min=cut)
    assert [(h.image_id, h.similarity, h.meaning) for h, _ in kept] == [
        ("img-g", 0.86, images.PACKAGING),
        ("img-f", 0.8, images.PACKAGING),
    ]
    # beside a copy, a hit below the cut is no rival: the mirrored copy takes full credit
    mirrored = [(Copy("img-g", 1.0), GENUINE), (Copy("img-f", 0.875), FAKE)]
    assert images.nearest_wins(mirrored, margin_full=0.125, copy_min=cut) == [
        (Copy("img-g", 1.0), GENUINE)
    ]


def test_same_brand_packaging_is_its_own_weaker_signal(
    candidate: Candidate, config: FeatureConfig
) -> None:
    shared = images.PACKAGING
    ctx = candidate(
        near_copies={
            "p-nike-1": [(Copy("img-g", 0.86, shared), GENUINE), (Copy("img-f", 0.8, shared), FAKE)]
        }
    )
    assert images.near_copy_of_genuine(ctx, config) is None
    assert images.near_copy_of_counterfeit(ctx, config) is None
    r = images.same_brand_packaging(ctx, config)
    assert r is not None
    assert (r.name, r.value) == ("image_same_brand_packaging", 0.86)
    assert r.detail == (
        "a declared image shares the packaging design of the brand's registered photo of "
        "Nike Air Zoom Pegasus 40 running shoe, but is not a copy of it"
    )
    fake = candidate(near_copies={"p-nike-1": [(Copy("img-f", 0.8, shared), FAKE)]})
    said = images.same_brand_packaging(fake, config)
    assert said is not None
    assert said.detail == (
        "a declared image shares the packaging design of a known counterfeit of "
        "Nike Air Zoom Pegasus 40 running shoe, which copies the brand's design, "
        "but is not a copy of it"
    )
    copy = candidate(near_copies={"p-nike-1": [(Copy("img-g", 0.95), GENUINE)]})
    assert images.same_brand_packaging(copy, config) is None
