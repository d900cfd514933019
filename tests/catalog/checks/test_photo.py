"""An officer's photo: decoded once, stripped, and described at the declared-image size."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from catalog.checks.photo import inspect_photo, reduced
from matchers.images.decode import load_image
from matchers.images.describe import describe
from matchers.images.vocab_train import photograph, synthetic_image

MAX_PIXELS = 50_000_000


def _jpeg(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=92)
    return out.getvalue()


def test_reduction_keeps_the_shorter_side_at_least_the_target() -> None:
    assert reduced(Image.new("RGB", (1600, 1200)), 512).size == (800, 600)
    assert reduced(Image.new("RGB", (1100, 1023)), 512).size == (1100, 1023)
    assert reduced(Image.new("RGB", (4000, 3000)), 512).size == (800, 600)
    small = Image.new("RGB", (348, 348))
    assert reduced(small, 512) is small


def test_the_photo_is_described_from_the_pixels_it_was_decoded_to() -> None:
    rng = np.random.default_rng([10, 1])
    shot = photograph(synthetic_image(rng, size=320), rng).resize((1400, 1050))
    raw = _jpeg(shot)
    photo = inspect_photo(raw, MAX_PIXELS, 512)
    expected = describe(reduced(load_image(raw), 512))
    assert photo.described is not None
    assert photo.described.local_features == expected.local_features
    assert photo.described.hashes == dict(expected.hashes)
    assert (photo.width, photo.height) == (1400, 1050)  # the kept evidence is not reduced
    assert inspect_photo(raw, MAX_PIXELS).described is None  # barcode-only use (bench)
