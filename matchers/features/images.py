"""Image features: declared images that copy a reference image, or photograph the product.

The nearest reference wins (`nearest_wins` for near-copies, `strongest_photo_wins` for
photo matches): a declared image is credited to the reference it is nearest to. When a
genuine and a known-counterfeit reference are both near, only the nearer is credited,
scaled by the margin between them, so a mirrored copy of the brand's own photo is not
also "a copy of the counterfeit" that shares its packaging template.

Only a hit at least `image_copy_min` similar is a copy. A declared image nearer to a
brand's references than any unrelated picture but not that near (another package of the
brand on the same template: other colours, a shape moved) is "same brand packaging": a
weaker, separately named signal that says whose design it is, not that it copies a
registered picture, and nothing of whether it is genuine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TypeVar

from matchers.features.base import (
    FeatureResult,
    NearCopyHitLike,
    PhotoHitLike,
    clamp01,
    product_label,
)
from matchers.features.context import CandidateContext
from matchers.images.nearcopy import NearCopyHit
from matchers.images.photo import PhotoHit
from matchers.records import ImageRecord
from matchers.weights import FeatureConfig

Hit = TypeVar("Hit")

PACKAGING = "same brand packaging"  # the `meaning` of a hit too far off to be a copy

KIND_WORDS = {
    "genuine": "photo",
    "packaging": "packaging image",
    "logo": "logo",
    "counterfeit": "photo of a known counterfeit",
}


def copy_words(meaning: str) -> str:
    """What kind of copy a near-copy hit is, as a noun phrase for the sentence: the index's
    plain words ("mirrored copy"), a bare manner made a copy ("re-encoded, resized or
    recoloured" -> "resized, re-encoded or recoloured copy")."""
    if meaning == "re-encoded, resized or recoloured":
        return "resized, re-encoded or recoloured copy"
    return meaning if "copy" in meaning else f"{meaning} copy"


def _margin_rule(
    hits: Sequence[tuple[Hit, ImageRecord]],
    *,
    margin_full: float,
    strength: Callable[[Hit], float],
    scaled: Callable[[Hit, float], Hit],
) -> list[tuple[Hit, ImageRecord]]:
    """The hits of one declared image that count: a hit on a counterfeit reference counts
    only when no genuine one is as strong, and the other way round; the stronger side's
    strength is scaled by its margin over the strongest of the other side (full credit at
    `margin_full` or more)."""
    nearest: dict[bool, float] = {}
    for hit, ref in hits:
        fake = ref.kind == "counterfeit"
        nearest[fake] = max(nearest.get(fake, 0.0), strength(hit))
    kept = []
    for hit, ref in hits:
        rival = nearest.get(ref.kind != "counterfeit")
        if rival is None:
            kept.append((hit, ref))
            continue
        share = clamp01((strength(hit) - rival) / margin_full)
        if share > 0.0:
            kept.append((scaled(hit, round(strength(hit) * share, 4)), ref))
    return kept


def nearest_wins(
    hits: Sequence[tuple[NearCopyHit, ImageRecord]], *, margin_full: float, copy_min: float = 0.0
) -> list[tuple[NearCopyHit, ImageRecord]]:
    """The near-copy hits of one declared image that count: the copies (similarity at least
    `copy_min`) by `_margin_rule`; with no copy, the hits below it as `PACKAGING` (their
    similarity kept: no reference is copied, so there is no margin to weigh)."""
    copies = [(h, r) for h, r in hits if h.similarity >= copy_min]
    if copies:
        return _margin_rule(
            copies,
            margin_full=margin_full,
            strength=lambda h: h.similarity,
            scaled=lambda h, v: dataclasses.replace(h, similarity=v),
        )
    return [(dataclasses.replace(h, meaning=PACKAGING), r) for h, r in hits]


def strongest_photo_wins(
    hits: Sequence[tuple[PhotoHit, ImageRecord]], *, margin_full: float
) -> list[tuple[PhotoHit, ImageRecord]]:
    """The photo hits of one declared photo that count (`_margin_rule` on the calibrated
    score): a photo that shows the brand's own product as surely as a registered
    counterfeit sharing its packaging is credited to neither at full weight."""
    return _margin_rule(
        hits,
        margin_full=margin_full,
        strength=lambda h: h.score,
        scaled=lambda h, v: dataclasses.replace(h, score=v),
    )


def _best(
    pairs: Sequence[tuple[Hit, ImageRecord]], strength: Callable[[Hit], float], *, counterfeit: bool
) -> tuple[float, Hit, ImageRecord] | None:
    """The strongest hit on a counterfeit (or a non-counterfeit) reference, its strength clamped;
    equal strengths go to the larger image id, so the choice never depends on hit order."""
    chosen = [(h, r) for h, r in pairs if (r.kind == "counterfeit") == counterfeit]
    best = max(chosen, key=lambda hr: (strength(hr[0]), hr[1].image_id), default=None)
    return None if best is None else (clamp01(strength(best[0])), *best)


def _similarity(hit: NearCopyHitLike) -> float:
    return hit.similarity


def _score(hit: PhotoHitLike) -> float:
    return hit.score


def _copies(ctx: CandidateContext, *, packaging: bool) -> list[tuple[NearCopyHitLike, ImageRecord]]:
    return [(h, r) for h, r in ctx.near_copies if (h.meaning == PACKAGING) == packaging]


def _copy(ctx: CandidateContext, *, counterfeit: bool, name: str) -> FeatureResult | None:
    best = _best(_copies(ctx, packaging=False), _similarity, counterfeit=counterfeit)
    if best is None:
        return None
    strength, hit, ref = best
    whose = "" if counterfeit else "the brand's registered "
    what = "a " if counterfeit else ""
    label = product_label(ctx.product.brand, ctx.product.name)
    detail = (
        f"a declared image is a {copy_words(hit.meaning)} of {whose}{what}"
        f"{KIND_WORDS[ref.kind]} of {label}"
    )
    evidence: dict[str, str | float] = {
        "reference_image_id": ref.image_id,
        "reference_kind": ref.kind,
        "similarity": strength,
        "match": hit.evidence,
    }
    return FeatureResult(name=name, value=strength, detail=detail, evidence=evidence)


def near_copy_of_genuine(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared image is an (edited) copy of one of the brand's own reference images, nearer
    to it than to any known counterfeit: it says which product this is."""
    return _copy(ctx, counterfeit=False, name="image_copy_of_genuine")


def near_copy_of_counterfeit(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared image copies a known counterfeit of the product, nearer to it than to any
    genuine reference (strong evidence)."""
    return _copy(ctx, counterfeit=True, name="image_copy_of_counterfeit")


def same_brand_packaging(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared image shares the packaging design of one of the product's references (genuine
    or a known counterfeit, which copies the brand's design) without being a copy of any: it
    says whose design this is, weakly, and nothing of whether it is genuine."""
    shared = _copies(ctx, packaging=True)
    best = max(shared, key=lambda hr: (hr[0].similarity, hr[1].image_id), default=None)
    if best is None:
        return None
    hit, ref = best
    label = product_label(ctx.product.brand, ctx.product.name)
    whose = (
        f"a known counterfeit of {label}, which copies the brand's design"
        if ref.kind == "counterfeit"
        else f"the brand's registered {KIND_WORDS[ref.kind]} of {label}"
    )
    strength = clamp01(hit.similarity)
    evidence: dict[str, str | float] = {
        "reference_image_id": ref.image_id,
        "reference_kind": ref.kind,
        "similarity": strength,
        "match": hit.evidence,
    }
    return FeatureResult(
        name="image_same_brand_packaging",
        value=strength,
        detail=f"a declared image shares the packaging design of {whose}, but is not a copy of it",
        evidence=evidence,
    )


def _photo(ctx: CandidateContext, *, counterfeit: bool, name: str) -> FeatureResult | None:
    best = _best(ctx.photos, _score, counterfeit=counterfeit)
    if best is None:
        return None
    strength, hit, ref = best
    label = product_label(ctx.product.brand, ctx.product.name)
    detail = (
        f"a declared photo shows the same object as the registered photo of a known counterfeit "
        f"of {label}"
        if counterfeit
        else f"a declared photo shows {label}, matching the brand's registered "
        f"{KIND_WORDS[ref.kind]}"
    )
    evidence: dict[str, str | float] = {
        "reference_image_id": ref.image_id,
        "reference_kind": ref.kind,
        "score": strength,
        "match": hit.evidence,
    }
    return FeatureResult(name=name, value=strength, detail=detail, evidence=evidence)


def photo_match(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared photo shows the product (local features verified against a genuine reference)."""
    return _photo(ctx, counterfeit=False, name="photo_match")


def photo_match_counterfeit(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """A declared photo matches a registered photo of a known counterfeit of the product."""
    return _photo(ctx, counterfeit=True, name="photo_match_counterfeit")
