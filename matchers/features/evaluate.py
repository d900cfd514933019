"""The algorithm: which features run for a declared item and one candidate product.

`Evidence` holds what retrieval found once per declaration (brand hits, GTIN owners,
image hits, text scores); `evaluate` runs every feature for one product on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from matchers.features import gtin, identity, images, price, registration, text, trade
from matchers.features.base import (
    DEFAULT_CONFIG,
    BrandHitLike,
    FeatureConfig,
    FeatureResult,
    NearCopyHitLike,
    PhotoHitLike,
)
from matchers.records import Declaration, ImageRecord, ProductRecord
from matchers.scoring import FxRates


@dataclass(frozen=True, slots=True)
class Evidence:
    """What retrieval found for one declaration, shared by all its candidates."""

    brand_hits: Sequence[BrandHitLike] = ()
    brand_field_hits: Sequence[BrandHitLike] = ()
    gtin_owners: Mapping[str, Sequence[ProductRecord]] = field(default_factory=dict)
    near_copies: Mapping[str, Sequence[tuple[NearCopyHitLike, ImageRecord]]] = field(
        default_factory=dict
    )
    photos: Mapping[str, Sequence[tuple[PhotoHitLike, ImageRecord]]] = field(default_factory=dict)
    declaration_level: Sequence[FeatureResult] = ()


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What features derive from a product alone, computed once when it is indexed."""

    models: tuple[str, ...]


def product_facts(product: ProductRecord) -> ProductFacts:
    """The derived facts of one product."""
    return ProductFacts(models=identity.product_models(product))


def declaration_features(declaration: Declaration) -> list[FeatureResult]:
    """Features that depend on the declaration alone (computed once, counted in every match)."""
    found = (text.counterfeit_vocabulary(declaration), gtin.gtin_invalid(declaration))
    return [r for r in found if r is not None]


def evaluate(
    declaration: Declaration,
    product: ProductRecord,
    *,
    evidence: Evidence,
    text_score: float,
    text_note: str = "",
    facts: ProductFacts | None = None,
    fx: FxRates,
    today: date,
    config: FeatureConfig = DEFAULT_CONFIG,
) -> tuple[list[FeatureResult], FeatureResult | None]:
    """All feature results for one candidate, and the expiry finding (applied by `combine`)."""
    pid = product.product_id
    copies = evidence.near_copies.get(pid, ())
    photos = evidence.photos.get(pid, ())
    found = [
        identity.text_similarity(text_score, product, config, note=text_note),
        identity.brand_named(evidence.brand_hits, product),
        identity.brand_lookalike(evidence.brand_hits, product),
        identity.brand_differs(declaration, evidence.brand_field_hits, product),
        identity.model_number(declaration, product, models=facts.models if facts else None),
        trade.origin_authorized(declaration, product),
        trade.importer_authorized(declaration, product),
        trade.exporter_authorized(declaration, product),
        trade.hs_code(declaration, product),
    ]
    # the rest need inputs most declarations lack; skipping them keeps a text-only query cheap
    if declaration.gtin:
        found.append(gtin.gtin_registration(declaration, product, registered=evidence.gtin_owners))
    if copies:
        found.append(images.near_copy_of_genuine(copies, product))
        found.append(images.near_copy_of_counterfeit(copies, product))
    if photos:
        found.append(images.photo_match(photos, product))
        found.append(images.photo_match_counterfeit(photos, product))
    if declaration.unit_value is not None:
        found.append(price.price_vs_range(declaration, product, fx=fx, today=today, config=config))
    if declaration.quantity is not None:
        found.append(
            trade.commercial_quantity(declaration, product, fx=fx, today=today, config=config)
        )
    results = [r for r in found if r is not None]
    results.extend(evidence.declaration_level)
    return results, registration.registration_expired(product, today=today)
