"""Photo matching: local features, pairwise verification and the catalogue index.

Images are generated here (text and shapes on textures, then photographed with a
perspective warp, scale change, blur and noise), so no shared data is needed.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from PIL import Image

from matchers.images.local_features import TILT, encode_features, tilted, tilted_features
from matchers.images.photo import (
    Calibration,
    FeatureError,
    PhotoIndex,
    decode_features,
    extract_features,
    verify,
)
from matchers.images.vocab_train import photograph, synthetic_image

PRODUCTS = 8


def _product(i: int) -> Image.Image:
    return synthetic_image(np.random.default_rng([2026, i]), size=320)


def _photo_of(i: int, seed: int = 2) -> Image.Image:
    return photograph(_product(i), np.random.default_rng([99, i, seed]), strength=0.6)


@pytest.fixture(scope="module")
def references() -> dict[str, bytes]:
    return {f"p{i}": extract_features(_product(i)) for i in range(PRODUCTS)}


@pytest.fixture(scope="module")
def index(references: dict[str, bytes]) -> PhotoIndex:
    idx = PhotoIndex()
    for image_id, blob in references.items():
        idx.add(image_id, blob)
    return idx


@pytest.fixture(scope="module")
def photo_blob() -> bytes:
    return extract_features(_photo_of(3))


# Far more lenient than the default, so the test shows verification itself rejects strangers.
LENIENT = Calibration(evidence_at_half=8.0, evidence_per_e=3.0, min_confidence=0.5)


def test_blob_round_trip_and_shape(references: dict[str, bytes]) -> None:
    blob = references["p0"]
    features = decode_features(blob)
    assert 50 <= len(features) <= 1000
    assert features.descriptors.dtype == np.uint8
    assert features.keypoints.shape == (len(features), 4)
    assert encode_features(features) == blob
    # Small catalogue images are upscaled before SIFT.
    assert features.width == features.height == 400


def test_version_1_blob_reads_without_colour(references: dict[str, bytes]) -> None:
    features = decode_features(references["p0"])
    no_thumb = dataclasses.replace(features, thumbnail=np.zeros((0, 0, 3), np.uint8))
    v1 = bytearray(encode_features(no_thumb))
    v1[4] = 1  # the version byte; version 1 had zeros where the thumbnail size now is
    old = decode_features(bytes(v1))
    assert old.thumbnail.size == 0
    assert np.array_equal(old.descriptors, features.descriptors)
    check = verify(bytes(v1), references["p0"])
    assert check.inliers == len(features)
    assert math.isnan(check.colour_distance)
    assert verify(references["p0"], references["p0"]).colour_distance < 1.0


@pytest.mark.parametrize("blob", [b"", b"CMLF", b"XXXX" + bytes(12), b"not features at all"])
def test_garbage_blob_is_refused(blob: bytes) -> None:
    with pytest.raises(FeatureError):
        decode_features(blob)


def test_truncated_blob_is_refused(references: dict[str, bytes]) -> None:
    with pytest.raises(FeatureError):
        decode_features(references["p1"][:-1])


def test_extraction_is_deterministic() -> None:
    im = _photo_of(5, seed=1)
    assert extract_features(im) == extract_features(im.copy())


def test_blank_image_has_no_keypoints() -> None:
    blob = extract_features(Image.new("RGB", (300, 200), "white"))
    assert len(decode_features(blob)) == 0


def test_large_photo_is_reduced_first() -> None:
    big = _photo_of(2).resize((2000, 2000))
    features = decode_features(extract_features(big))
    assert max(features.width, features.height) == 640


def test_verify_finds_the_warped_copy(references: dict[str, bytes], photo_blob: bytes) -> None:
    same = verify(photo_blob, references["p3"])
    other = verify(photo_blob, references["p4"])
    assert same.inliers >= 25
    assert same.homography is not None
    assert same.inlier_fraction > 0.1
    assert other.inliers < same.inliers / 3
    assert verify(photo_blob, references["p3"]) == same  # seeded RANSAC


def test_warped_photos_are_found_first(index: PhotoIndex) -> None:
    found = 0
    for i in range(PRODUCTS):
        hits = index.search(extract_features(_photo_of(i)), limit=3)
        # A photo may be too blurred to match (no answer), but never to the wrong product.
        assert all(h.image_id == f"p{i}" for h in hits)
        if hits:
            found += 1
            assert Calibration().min_confidence <= hits[0].score <= 1.0
            assert "homography" in hits[0].evidence
    assert found >= PRODUCTS - 2


@pytest.mark.parametrize("calibration", [Calibration(), LENIENT])
def test_unrelated_photo_gives_no_confident_match(
    references: dict[str, bytes], calibration: Calibration
) -> None:
    idx = PhotoIndex(calibration=calibration)
    for image_id, blob in references.items():
        idx.add(image_id, blob)
    for seed in (1, 2, 3):
        unrelated = synthetic_image(np.random.default_rng([777, seed]), size=320)
        shot = photograph(unrelated, np.random.default_rng(seed))
        assert idx.search(extract_features(shot)) == []


def test_add_remove_and_replace(references: dict[str, bytes], photo_blob: bytes) -> None:
    idx = PhotoIndex()
    for image_id, blob in references.items():
        idx.add(image_id, blob)
    assert len(idx) == PRODUCTS
    idx.remove("p3")
    assert "p3" not in idx
    assert len(idx) == PRODUCTS - 1
    assert all(h.image_id != "p3" for h in idx.search(photo_blob))
    idx.remove("p3")  # absent: no-op
    idx.add("again-p3", references["p3"])
    assert idx.search(photo_blob)[0].image_id == "again-p3"
    # Replacing an id with another image's features drops the old ones.
    idx.add("again-p3", references["p5"])
    assert len(idx) == PRODUCTS
    assert all(h.image_id != "again-p3" for h in idx.search(photo_blob))


def test_search_is_deterministic(references: dict[str, bytes], photo_blob: bytes) -> None:
    first, second = PhotoIndex(), PhotoIndex()
    for image_id, blob in references.items():
        first.add(image_id, blob)
        second.add(image_id, blob)
    assert first.search(photo_blob) == second.search(photo_blob)


def test_empty_index_and_empty_query(references: dict[str, bytes]) -> None:
    assert PhotoIndex().search(references["p0"]) == []
    blank = extract_features(Image.new("RGB", (300, 200), "white"))
    idx = PhotoIndex()
    idx.add("p0", references["p0"])
    idx.add("blank", blank)
    assert idx.search(blank) == []


def test_calibration_is_monotone_and_bounded() -> None:
    cal = Calibration()
    values = [cal.confidence(n) for n in range(0, 200, 5)]
    assert cal.confidence(cal.evidence_at_half) == pytest.approx(0.5)
    assert values == sorted(values)
    assert values[0] == 0.0
    assert all(0.0 <= v <= 1.0 for v in values)


def test_a_lower_floor_finds_more_and_the_cache_follows_the_index(
    references: dict[str, bytes],
) -> None:
    idx = PhotoIndex()
    for image_id, blob in references.items():
        idx.add(image_id, blob)
    weak = extract_features(photograph(_product(5), np.random.default_rng([5, 5]), strength=1.6))
    strict = idx.search(weak, limit=8)
    lenient = idx.search(weak, limit=8, min_confidence=0.0)
    assert [h.image_id for h in strict] == [h.image_id for h in lenient][: len(strict)]
    assert lenient
    assert len(lenient) >= len(strict)
    assert all(h.score >= idx.calibration.min_confidence for h in strict)
    assert idx.search(weak, limit=8) == strict  # asked again: the same answer
    for hit in lenient:
        idx.remove(hit.image_id)
    assert idx.search(weak, limit=8, min_confidence=0.0) == []  # removed images are gone


def test_more_candidates_are_verified_only_while_none_is_settled(
    references: dict[str, bytes], photo_blob: bytes
) -> None:
    def build(shortlist: int, settled: float) -> PhotoIndex:
        calibration = Calibration(min_confidence=0.0, settled_evidence=settled)
        idx = PhotoIndex(shortlist=shortlist, max_shortlist=PRODUCTS, calibration=calibration)
        for image_id, blob in references.items():
            idx.add(image_id, blob)
        return idx

    settled_at_once = build(1, 0.0).search(photo_blob, limit=PRODUCTS)
    never_settled = build(1, math.inf).search(photo_blob, limit=PRODUCTS)
    all_verified = build(PRODUCTS, 0.0).search(photo_blob, limit=PRODUCTS)
    assert [h.image_id for h in settled_at_once] == ["p3"]
    assert never_settled == all_verified  # unsettled, it goes on to the whole shortlist
    assert never_settled[0].image_id == "p3"


def test_consistency_keeps_matches_that_turn_and_scale_together() -> None:
    from matchers.images.local_features import consistent

    rng = np.random.default_rng(7)
    n = 60
    reference = np.column_stack(
        [rng.uniform(0, 400, (n, 2)), rng.uniform(2, 20, n), rng.uniform(0, 360, n)]
    ).astype(np.float32)
    # The query turns every keypoint by 350 degrees (wrapping round) and doubles its size,
    # give or take a little; the last 20 pairs are chance matches that scatter.
    query = reference.copy()
    query[:, 3] = np.mod(reference[:, 3] + 350 + rng.uniform(-8, 8, n), 360)
    query[:, 2] = reference[:, 2] * 2 * rng.uniform(0.85, 1.15, n)
    query[40:, 3] = np.mod(reference[40:, 3] + rng.uniform(60, 300, 20), 360)
    query[40:, 2] = reference[40:, 2] * rng.uniform(0.05, 0.2, 20)
    pairs = np.column_stack([np.arange(n), np.arange(n)]).astype(np.int64)
    keep = consistent(query, reference, pairs)
    assert keep[:40].all()
    assert not keep[40:].any()


def test_compact_votes_rank_like_full_descriptors(references: dict[str, bytes]) -> None:
    # Votes from 16-byte product-quantised descriptors find the same image first as votes
    # from 8 bits a dimension, and the compact index stores 16 bytes a descriptor.
    compact, full = PhotoIndex(), PhotoIndex(compact=False)
    for image_id, blob in references.items():
        compact.add(image_id, blob)
        full.add(image_id, blob)
    assert compact._ifile._index.code_size == 16
    assert full._ifile._index.code_size == 128
    for i in range(PRODUCTS):
        query = decode_features(extract_features(_photo_of(i)))
        assert compact.candidates(query, limit=1)[0][0] == f"p{i}"
        assert full.candidates(query, limit=1)[0][0] == f"p{i}"


def test_tilted_stretches_along_the_direction_and_keeps_everything() -> None:
    im = Image.new("RGB", (200, 100), (200, 30, 30))
    assert tilted(im, TILT, 0.0).size == (math.ceil(200 * TILT), 100)
    assert tilted(im, TILT, 90.0).size == (200, math.ceil(100 * TILT))
    wide = tilted(im, TILT, 45.0)
    assert wide.width > 200
    assert wide.height > 100
    # The whole photo is kept: as much red after the stretch as the stretch says.
    red = (np.asarray(wide)[:, :, 0] > 100).sum()
    assert red == pytest.approx(200 * 100 * TILT, rel=0.03)


def test_a_slanted_photo_is_found_at_a_simulated_tilt(index: PhotoIndex) -> None:
    direct = at_tilt = 0
    for i in range(PRODUCTS):
        # The pack seen slanted: foreshortened 2.5 times along the diagonal.
        im = tilted(_product(i), 1 / 2.5, 45.0)
        im = photograph(im, np.random.default_rng([7, i]), strength=0.3)
        hits = index.search(extract_features(im), limit=3, min_confidence=0.0)
        direct += bool(hits) and hits[0].image_id == f"p{i}"
        for _, view in tilted_features(im):  # as a check tries them: until one verifies
            hits = index.search(view, limit=3, min_confidence=0.0)
            if hits:
                break
        assert not hits or hits[0].image_id == f"p{i}"
        at_tilt += bool(hits)
    assert direct <= 2
    assert at_tilt >= PRODUCTS - 3
