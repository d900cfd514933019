"""Everything the engine needs from one image's pixels, computed once."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from matchers.images.hashes import compute_hashes
from matchers.images.photo import extract_features


@dataclass(frozen=True, slots=True)
class ImageDescription:
    """An image's size, perceptual hashes (base keys and variants) and local-feature blob."""

    width: int
    height: int
    hashes: dict[str, str]
    local_features: bytes


def describe(im: Image.Image) -> ImageDescription:
    """Describe decoded pixels (from `load_image`) for near-copy and photo matching."""
    return ImageDescription(
        width=im.width,
        height=im.height,
        hashes=compute_hashes(im),
        local_features=extract_features(im),
    )
