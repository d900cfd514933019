"""Perceptual hashes and their edit-robust variants, on images made in the test."""

from __future__ import annotations

import imagehash
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from matchers.images.hashes import (
    BASE_HASHES,
    CROP_ANCHORS,
    CROP_FRACTIONS,
    compute_hashes,
    crop_box,
    crop_name,
    trim_borders,
)


def scene(seed: int, size: tuple[int, int] = (240, 180)) -> Image.Image:
    """A smooth random colour field with a few shapes: a stand-in for a product photo."""
    rng = np.random.default_rng(seed)
    field = (rng.random((5, 7, 3)) * 255).astype(np.uint8)
    im = Image.fromarray(field).resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(im)
    for _ in range(4):
        x, y = int(rng.integers(0, size[0] - 40)), int(rng.integers(0, size[1] - 40))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse((x, y, x + int(rng.integers(15, 40)), y + int(rng.integers(15, 40))), colour)
    return im


def bits(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def test_base_hashes_are_what_imagehash_gives_on_the_same_pixels() -> None:
    im = scene(1)
    hashes = compute_hashes(im, variants=False)
    assert tuple(hashes) == BASE_HASHES
    assert hashes["phash"] == str(imagehash.phash(im))
    assert hashes["dhash"] == str(imagehash.dhash(im))
    for key in ("phash", "dhash", "whash"):
        assert len(hashes[key]) == 16
    int(hashes["colorhash"], 16)


def test_variants_come_in_phash_dhash_pairs_of_64_bits() -> None:
    hashes = compute_hashes(scene(2))
    views = {key.split("_", 1)[1] for key in hashes if "_" in key}
    assert {"flip", "trim", "trim_flip", "top", "bottom", "centre", "rot+15", "rot-15"} <= views
    assert {crop_name(a, f) for a in CROP_ANCHORS for f in CROP_FRACTIONS} <= views
    for view in views:
        assert len(hashes[f"phash_{view}"]) == 16
        assert len(hashes[f"dhash_{view}"]) == 16


def test_flip_variant_is_the_hash_of_the_mirror() -> None:
    im = scene(3)
    assert compute_hashes(im)["phash_flip"] == str(imagehash.phash(ImageOps.mirror(im)))
    assert compute_hashes(ImageOps.mirror(im))["phash_flip"] == str(imagehash.phash(im))


@pytest.mark.parametrize("colour", [(255, 255, 255), (0, 0, 0), (40, 90, 200)])
def test_trim_removes_padding_of_any_colour(colour: tuple[int, int, int]) -> None:
    im = scene(4)
    canvas = Image.new("RGB", (im.width + 100, im.height + 60), colour)
    canvas.paste(im, (50, 30))
    trimmed = trim_borders(canvas)
    assert abs(trimmed.width - im.width) <= 2
    assert abs(trimmed.height - im.height) <= 2
    padded, plain = compute_hashes(canvas), compute_hashes(im)
    assert bits(padded["phash_trim"], plain["phash_trim"]) <= 4
    assert bits(padded["phash"], plain["phash"]) > 10  # why the variant exists


def test_trim_leaves_an_unbordered_or_uniform_image_alone() -> None:
    im = scene(5)
    assert trim_borders(im).size == im.size
    blank = Image.new("RGB", (120, 80), (255, 255, 255))
    assert trim_borders(blank).size == blank.size


def test_crop_boxes_keep_the_share_asked_for_at_their_anchor() -> None:
    assert crop_box("tl", 0.2) == pytest.approx((0.0, 0.0, 0.8, 0.8))
    assert crop_box("br", 0.2) == pytest.approx((0.2, 0.2, 1.0, 1.0))
    assert crop_box("c", 0.1) == pytest.approx((0.05, 0.05, 0.95, 0.95))
    assert crop_name("tr", 0.1) == "crop_tr10"


def test_crop_variant_matches_a_copy_cropped_the_same_way() -> None:
    im = scene(6, (400, 300))
    cropped = im.crop((0, 0, 320, 240))  # 20% off the right and bottom: the tl20 view
    assert bits(compute_hashes(cropped)["phash"], compute_hashes(im)["phash_crop_tl20"]) <= 6


def test_hashes_are_deterministic() -> None:
    assert compute_hashes(scene(7)) == compute_hashes(scene(7))


def test_describe_gives_size_all_hashes_and_local_features() -> None:
    from matchers.images.describe import describe

    im = scene(8, (320, 240))
    described = describe(im)
    assert (described.width, described.height) == (320, 240)
    assert described.hashes == compute_hashes(im)
    assert isinstance(described.local_features, bytes)
    assert described.local_features  # a textured image has keypoints
