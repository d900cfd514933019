"""Image features: declared images that copy a reference image, or photograph the product."""

from __future__ import annotations

from collections.abc import Sequence

from matchers.features.base import FeatureResult, NearCopyHitLike, PhotoHitLike, clamp01
from matchers.records import ImageRecord, ProductRecord


def _best_near_copy(
    pairs: Sequence[tuple[NearCopyHitLike, ImageRecord]], *, counterfeit: bool
) -> tuple[NearCopyHitLike, ImageRecord] | None:
    chosen = [(h, r) for h, r in pairs if (r.kind == "counterfeit") == counterfeit]
    return max(chosen, key=lambda hr: (hr[0].similarity, hr[1].image_id), default=None)


def near_copy_of_genuine(
    pairs: Sequence[tuple[NearCopyHitLike, ImageRecord]], product: ProductRecord
) -> FeatureResult | None:
    """A declared image is an (edited) copy of one of the brand's own reference images:
    it identifies the product, and reusing the brand's photo is what fake listings do."""
    best = _best_near_copy(pairs, counterfeit=False)
    if best is None:
        return None
    hit, ref = best
    sim = clamp01(hit.similarity)
    return FeatureResult(
        name="image_copy_of_genuine",
        value=sim,
        detail=f"a declared image copies the {ref.kind} reference {ref.image_id} of "
        f"{product.name}: {hit.evidence}",
        identity=0.9 * sim,
    )


def near_copy_of_counterfeit(
    pairs: Sequence[tuple[NearCopyHitLike, ImageRecord]], product: ProductRecord
) -> FeatureResult | None:
    """A declared image is a copy of a known counterfeit of the product (strong evidence)."""
    best = _best_near_copy(pairs, counterfeit=True)
    if best is None:
        return None
    hit, ref = best
    sim = clamp01(hit.similarity)
    return FeatureResult(
        name="image_copy_of_counterfeit",
        value=sim,
        detail=f"a declared image copies the known counterfeit {ref.image_id} of "
        f"{product.name}: {hit.evidence}",
        identity=0.8 * sim,
    )


def _best_photo(
    pairs: Sequence[tuple[PhotoHitLike, ImageRecord]], *, counterfeit: bool
) -> tuple[PhotoHitLike, ImageRecord] | None:
    chosen = [(h, r) for h, r in pairs if (r.kind == "counterfeit") == counterfeit]
    return max(chosen, key=lambda hr: (hr[0].score, hr[1].image_id), default=None)


def photo_match(
    pairs: Sequence[tuple[PhotoHitLike, ImageRecord]], product: ProductRecord
) -> FeatureResult | None:
    """A declared photo shows the product (local features verified against a genuine reference)."""
    best = _best_photo(pairs, counterfeit=False)
    if best is None:
        return None
    hit, ref = best
    score = clamp01(hit.score)
    return FeatureResult(
        name="photo_match",
        value=score,
        detail=f"a declared photo shows {product.name} (reference {ref.image_id}): {hit.evidence}",
        identity=0.9 * score,
    )


def photo_match_counterfeit(
    pairs: Sequence[tuple[PhotoHitLike, ImageRecord]], product: ProductRecord
) -> FeatureResult | None:
    """A declared photo matches a registered photo of a known counterfeit of the product."""
    best = _best_photo(pairs, counterfeit=True)
    if best is None:
        return None
    hit, ref = best
    score = clamp01(hit.score)
    return FeatureResult(
        name="photo_match_counterfeit",
        value=score,
        detail=f"a declared photo matches the known counterfeit {ref.image_id} of "
        f"{product.name}: {hit.evidence}",
        identity=0.7 * score,
    )
