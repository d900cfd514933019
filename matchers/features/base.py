"""What every feature returns, the hit shapes features read, and the helpers they share.

A feature is a small function `(ctx, config) -> FeatureResult | None` (see
`matchers.features.feature`). `None` means the feature had nothing to compare
(silently abstains); a result with `value == 0.0` abstains *and says why* (e.g. no
exchange rate for the price).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from matchers.text.normalize import model_numbers, normalize


@dataclass(frozen=True, slots=True)
class FeatureResult:
    """One feature's finding: its signal name, its strength in [0, 1] and a sentence of evidence.

    The name keys the signal's suspicion and identity weights in `matchers.weights.Weights`;
    `evidence` holds expert detail kept out of the sentence (see `matchers.records.Signal`).
    """

    name: str
    value: float
    detail: str
    evidence: Mapping[str, str | float] | None = None


class BrandHitLike(Protocol):
    """The parts of `matchers.brands.index.BrandHit` the features read."""

    @property
    def brand(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def matched_text(self) -> str: ...
    @property
    def evidence(self) -> str: ...


class NearCopyHitLike(Protocol):
    """The parts of `matchers.images.nearcopy.NearCopyHit` the features read."""

    @property
    def image_id(self) -> str: ...
    @property
    def similarity(self) -> float: ...
    @property
    def evidence(self) -> str: ...
    @property
    def meaning(self) -> str: ...


class PhotoHitLike(Protocol):
    """The parts of `matchers.images.photo.PhotoHit` the features read."""

    @property
    def image_id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def evidence(self) -> str: ...


def product_label(brand: str, name: str) -> str:
    """How a sentence names a product: its brand and name, the brand once ("Tropicana Apple
    Juice 1 L", not "Tropicana Tropicana Apple Juice 1 L")."""
    if f"{norm(name)} ".startswith(f"{norm(brand)} "):
        return name
    return f"{brand} {name}"


def clamp01(x: float) -> float:
    """Clamp `x` to [0, 1]."""
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@lru_cache(maxsize=65_536)
def norm(text: str) -> str:
    """`matchers.text.normalize.normalize`, cached: catalogue strings recur on every query."""
    return normalize(text)


@lru_cache(maxsize=65_536)
def models_in(text: str) -> tuple[str, ...]:
    """`matchers.text.normalize.model_numbers`, cached."""
    return tuple(model_numbers(text))
