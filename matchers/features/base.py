"""What every feature returns, the knobs features share, and the hit shapes they read.

A feature is a small function `(query, candidate, config) -> FeatureResult | None`.
`None` means the feature had nothing to compare (silently abstains); a result
with `value == 0.0` abstains *and says why* (e.g. no exchange rate for the price).
The signal `name` is the key of its weight in `matchers.scoring.Weights`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from matchers.text.normalize import model_numbers, normalize


@dataclass(frozen=True, slots=True)
class FeatureResult:
    """One feature's finding: the weight key, its strength in [0, 1] and a sentence of evidence.

    `identity` says how far this finding alone identifies the item with the
    product: in (0, 1] it is evidence *for* the product (combined by noisy-OR),
    in [-1, 0) it is evidence against it (the similarity is scaled by 1 + identity).
    """

    name: str
    value: float
    detail: str
    identity: float = 0.0


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Cut-offs the features share; the defaults encode the domain notes in the brief.

    Customs values are import values, often 40-60% of retail; counterfeits are
    declared far lower, so only a unit value well below ~35-40% of the genuine
    minimum is taken as evidence, and strong evidence below 25%.
    """

    price_plausible_ratio: float = 0.40
    price_far_below_ratio: float = 0.25
    commercial_quantity: int = 10
    commercial_quantity_full: int = 500
    luxury_min_eur: float = 100.0
    text_floor: float = 0.5


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


class PhotoHitLike(Protocol):
    """The parts of `matchers.images.photo.PhotoHit` the features read."""

    @property
    def image_id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def evidence(self) -> str: ...


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


DEFAULT_CONFIG = FeatureConfig()
