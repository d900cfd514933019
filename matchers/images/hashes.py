"""Perceptual hashes of normalised pixels, as hex strings keyed by name."""

from __future__ import annotations

import imagehash
from PIL import Image

BASE_HASHES = ("phash", "dhash", "whash", "colorhash")


def compute_hashes(im: Image.Image) -> dict[str, str]:
    """Compute the base perceptual hashes (64-bit phash, dhash, whash; colour hash) of `im`."""
    return {
        "phash": str(imagehash.phash(im)),
        "dhash": str(imagehash.dhash(im)),
        "whash": str(imagehash.whash(im)),
        "colorhash": str(imagehash.colorhash(im)),
    }
