"""Image features: declared images that copy a reference image, or photograph the product."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from matchers.features.base import FeatureResult, NearCopyHitLike, PhotoHitLike, clamp01
from matchers.features.context import CandidateContext
from matchers.records import ImageRecord
from matchers.weights import FeatureConfig

Hit = TypeVar("Hit")


def _best(
    pairs: Sequence[tuple[Hit, ImageRecord]], strength: Callable[[Hit], float], *, counterfeit: bool
) -> tuple[float, Hit, ImageRecord] | None:
    """The strongest hit on a counterfeit (or a non-counterfeit) reference, its strength clamped;
    equal strengths go to the larger image id, so the choice never depends on hit order."""
    chosen = [(h, r) for h, r in pairs if (r.kind == "counterfeit") == counterfeit]
    best = max(chosen, key=lambda hr: (strength(hr[0]), hr[1].image_id), default=None)
    return None if best is None else (clamp01(strength(best[0])), *best)


def _finding(
    best: tuple[float, Hit, ImageRecord] | None,
    name: str,
    detail: Callable[[Hit, ImageRecord], str],
) -> FeatureResult | None:
    """The finding `name` for the best hit, its strength as the value; None without a hit."""
    if best is None:
        return None
    strength, hit, ref = best
    return FeatureResult(name=name, value=strength, detail=detail(hit, ref))


def _similarity(hit: NearCopyHitLike) -> float:
    return hit.similarity


def _score(hit: PhotoHitLike) -> float:
    return hit.score


def near_copy_of_genuine(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared image is an (edited) copy of one of the brand's own reference images:
    it identifies the product, and reusing the brand's photo is what fake listings do."""
    return _finding(
        _best(ctx.near_copies, _similarity, counterfeit=False),
        "image_copy_of_genuine",
        lambda hit, ref: (
            f"a declared image copies the {ref.kind} reference {ref.image_id} of "
            f"{ctx.product.name}: {hit.evidence}"
        ),
    )


def near_copy_of_counterfeit(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared image is a copy of a known counterfeit of the product (strong evidence)."""
    return _finding(
        _best(ctx.near_copies, _similarity, counterfeit=True),
        "image_copy_of_counterfeit",
        lambda hit, ref: (
            f"a declared image copies the known counterfeit {ref.image_id} of "
            f"{ctx.product.name}: {hit.evidence}"
        ),
    )


def photo_match(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared photo shows the product (local features verified against a genuine reference)."""
    return _finding(
        _best(ctx.photos, _score, counterfeit=False),
        "photo_match",
        lambda hit, ref: (
            f"a declared photo shows {ctx.product.name} (reference {ref.image_id}): {hit.evidence}"
        ),
    )


def photo_match_counterfeit(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared photo matches a registered photo of a known counterfeit of the product."""
    return _finding(
        _best(ctx.photos, _score, counterfeit=True),
        "photo_match_counterfeit",
        lambda hit, ref: (
            f"a declared photo matches the known counterfeit {ref.image_id} of "
            f"{ctx.product.name}: {hit.evidence}"
        ),
    )
