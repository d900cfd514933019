"""The algorithm: the declared list of features, and how they run for a declared item.

Per declared item the engine (`matchers.engine.assess`) retrieves candidates and builds
one `DeclarationContext` (the declaration, what retrieval found, exchange rates, the
day). Then:

1. `DECLARATION_FEATURES` run once on it (they read the declaration alone) and their
   findings count in every match.
2. For each candidate product, `CANDIDATE_FEATURES` run in the order listed on a
   `CandidateContext`; a feature whose `needs` is false is skipped (no GTIN, image,
   price or quantity declared: nothing to compare). `EXPIRY` runs last: a lapsed
   registration no longer counts as evidence of genuine trade (those findings stay,
   unweighted) and discounts the match's positive evidence (`Weights.expired_factor`).
   The engine runs them in two phases with an early exit: `identify` (the features that
   may emit an identity-weighted signal, and the expiry) for every candidate's
   similarity, then `complete` (the others: trade, price, quantity ...) only for the
   candidates that can be shown; together they give what `evaluate` gives.
3. With no candidate identified, `BRAND_LEVEL` speaks for a named or imitated brand.

`matchers.scoring` turns the findings into similarity (the identity log-odds model) and risk
(similarity times the suspicion log-odds model). Every signal a feature emits is declared
in its `names`; this module checks at import that `DEFAULT_WEIGHTS` weighs or identifies
exactly those signals, and the engine checks the weights it is handed (`check`). The
order of the lists is the order of the results, which keeps results byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from matchers.features import gtin, hs, identity, images, price, registration, text, trade
from matchers.features.base import FeatureResult
from matchers.features.context import CandidateContext, DeclarationContext, ProductFacts
from matchers.features.feature import Feature, check_weights, emitted, run_all
from matchers.records import ProductRecord
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig, Weights


def declares_gtin(ctx: CandidateContext) -> bool:
    """The declaration carries a GTIN."""
    return bool(ctx.declaration.gtin)


def declares_unit_value(ctx: CandidateContext) -> bool:
    """The declaration carries a unit value."""
    return ctx.declaration.unit_value is not None


def declares_quantity(ctx: CandidateContext) -> bool:
    """The declaration carries a quantity."""
    return ctx.declaration.quantity is not None


def has_near_copies(ctx: CandidateContext) -> bool:
    """A declared image copies one of the candidate's reference images."""
    return bool(ctx.near_copies)


def has_photos(ctx: CandidateContext) -> bool:
    """A declared photo shows one of the candidate's reference photos."""
    return bool(ctx.photos)


DECLARATION_FEATURES: tuple[Feature[DeclarationContext], ...] = (
    Feature(text.counterfeit_vocabulary, names=("counterfeit_vocabulary",)),
    Feature(gtin.gtin_invalid, names=("gtin_invalid",)),
    Feature(hs.hs_code_unknown, names=("hs_code_unknown",)),
)

CANDIDATE_FEATURES: tuple[Feature[CandidateContext], ...] = (
    Feature(identity.text_similarity, names=("text_similarity",)),
    Feature(identity.brand_named, names=("brand_exact", "brand_alias")),
    Feature(identity.brand_lookalike, names=("brand_lookalike",)),
    Feature(identity.brand_differs, names=("brand_differs",)),
    Feature(identity.brand_unnamed, names=("brand_unnamed",)),
    Feature(identity.model_number, names=("model_same", "model_different")),
    Feature(trade.origin_authorized, names=("origin_authorized", "origin_unauthorized")),
    Feature(trade.importer_authorized, names=("importer_authorized", "importer_not_authorized")),
    Feature(trade.exporter_authorized, names=("exporter_authorized", "exporter_not_authorized")),
    Feature(
        hs.hs_code, names=("hs_code_consistent", "hs_code_other_heading", "hs_code_other_chapter")
    ),
    Feature(
        gtin.gtin_registration,
        names=("gtin_this_product", "gtin_other_brand", "gtin_other_product", "gtin_unregistered"),
        needs=declares_gtin,
    ),
    Feature(images.near_copy_of_genuine, names=("image_copy_of_genuine",), needs=has_near_copies),
    Feature(
        images.near_copy_of_counterfeit, names=("image_copy_of_counterfeit",), needs=has_near_copies
    ),
    Feature(
        images.same_brand_packaging, names=("image_same_brand_packaging",), needs=has_near_copies
    ),
    Feature(images.photo_match, names=("photo_match",), needs=has_photos),
    Feature(images.photo_match_counterfeit, names=("photo_match_counterfeit",), needs=has_photos),
    Feature(
        price.price_vs_range,
        names=(
            "price_plausible",
            "price_below_range",
            "price_far_below_range",
            "price_unavailable",
        ),
        needs=declares_unit_value,
    ),
    Feature(trade.commercial_quantity, names=("commercial_quantity",), needs=declares_quantity),
)

EXPIRY: Feature[CandidateContext] = Feature(
    registration.registration_expired, names=("registration_expired",)
)
"""Weighed by `Weights.expired_factor`, not by a weight of its own."""

BRAND_LEVEL: Feature[DeclarationContext] = Feature(
    identity.brand_level, names=("brand_exact", "brand_alias", "brand_lookalike")
)

FEATURES: tuple[Feature[Any], ...] = (
    *DECLARATION_FEATURES,
    *CANDIDATE_FEATURES,
    EXPIRY,
    BRAND_LEVEL,
)
"""Every feature of the algorithm, each listed once."""

WEIGHTED: tuple[Feature[Any], ...] = tuple(f for f in FEATURES if f is not EXPIRY)
"""The features whose signals carry a log-odds weight."""


_WEIGHTED_NAMES = emitted(WEIGHTED)
_CANDIDATE_NAMES = emitted(CANDIDATE_FEATURES)


def check(weights: Weights) -> None:
    """Raise `SignalError` unless `weights` weighs or identifies exactly the signals the
    weighted features declare, identity weights only for signals of candidate features."""
    check_weights(weights, weighted=_WEIGHTED_NAMES, identifying=_CANDIDATE_NAMES)


def product_facts(product: ProductRecord) -> ProductFacts:
    """The derived facts of one product."""
    return ProductFacts(models=identity.product_models(product))


def declaration_features(ctx: DeclarationContext, config: FeatureConfig) -> list[FeatureResult]:
    """Findings on the declaration alone (computed once, counted in every match)."""
    return run_all(DECLARATION_FEATURES, ctx, config)


def evaluate(
    ctx: CandidateContext, config: FeatureConfig, *, declared: Sequence[FeatureResult]
) -> tuple[list[FeatureResult], FeatureResult | None]:
    """All findings for one candidate (`declared` appended), and the expiry finding; an
    expired registration's findings of genuine trade are kept with no weight."""
    results = run_all(CANDIDATE_FEATURES, ctx, config)
    results.extend(declared)
    expired = EXPIRY.run(ctx, config)
    if expired is not None:
        results = registration.not_counted(results)
    return results, expired


@lru_cache(maxsize=64)
def _identifying(identity_names: frozenset[str]) -> tuple[int, ...]:
    return tuple(
        i
        for i, feature in enumerate(CANDIDATE_FEATURES)
        if any(name in identity_names for name in feature.names)
    )


def identifying_features(weights: Weights) -> tuple[int, ...]:
    """Positions in `CANDIDATE_FEATURES` of the features that may emit a signal `weights`
    gives an identity weight: all that similarity reads."""
    return _identifying(frozenset(weights.identity))


@dataclass(frozen=True, slots=True)
class Identified:
    """A candidate's identity findings (the first, cheap phase of `evaluate`).

    `for_similarity` is what `matchers.scoring.similarity` reads (an expired
    registration's findings of genuine trade already uncounted); `found` keeps each
    finding by its feature's position, so `complete` runs only the other features.
    """

    for_similarity: list[FeatureResult]
    found: dict[int, FeatureResult | None]
    expired: FeatureResult | None


def identify(
    ctx: CandidateContext, config: FeatureConfig, *, identifying: Sequence[int]
) -> Identified:
    """Run only the features at positions `identifying` (see `identifying_features`), and
    the expiry: enough for the candidate's similarity."""
    found = {i: CANDIDATE_FEATURES[i].run(ctx, config) for i in identifying}
    expired = EXPIRY.run(ctx, config)
    results = [r for r in found.values() if r is not None]
    if expired is not None:
        results = registration.not_counted(results)
    return Identified(results, found, expired)


def complete(
    ctx: CandidateContext,
    config: FeatureConfig,
    identified: Identified,
    *,
    declared: Sequence[FeatureResult],
) -> tuple[list[FeatureResult], FeatureResult | None]:
    """What `evaluate` returns for a candidate already `identify`-ed: the remaining features
    run, every finding in `CANDIDATE_FEATURES` order (the same list, byte for byte)."""
    found = identified.found
    results = [
        r
        for i, f in enumerate(CANDIDATE_FEATURES)
        if (r := found[i] if i in found else f.run(ctx, config)) is not None
    ]
    results.extend(declared)
    if identified.expired is not None:
        results = registration.not_counted(results)
    return results, identified.expired


def brand_level(ctx: DeclarationContext, config: FeatureConfig) -> FeatureResult | None:
    """The brand-level finding when no product is identified."""
    return BRAND_LEVEL.run(ctx, config)


check(DEFAULT_WEIGHTS)
