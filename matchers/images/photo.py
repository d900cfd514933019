"""Photo matching: find the registered reference image a new photo of a product shows.

`extract_features` and `verify` (local features, RANSAC) live in `local_features`;
this module holds the catalogue-side index (see `PhotoIndex`).
"""

from __future__ import annotations

from dataclasses import dataclass

from matchers.images.local_features import (
    FeatureError,
    LocalFeatures,
    Verification,
    decode_features,
    extract_features,
    verify,
)

__all__ = [
    "FeatureError",
    "LocalFeatures",
    "PhotoHit",
    "Verification",
    "decode_features",
    "extract_features",
    "verify",
]


@dataclass(frozen=True, slots=True)
class PhotoHit:
    """A registered image the query photo shows, with a calibrated confidence in [0, 1]."""

    image_id: str
    score: float
    inliers: int
    inlier_fraction: float
    evidence: str
