"""GTIN features: the declared barcode's check digit and whose product it is registered to."""

from __future__ import annotations

from functools import lru_cache

from stdnum import ean

from matchers.features.base import FeatureResult, product_label
from matchers.features.context import CandidateContext, DeclarationContext
from matchers.weights import FeatureConfig

GTIN_LENGTHS = (8, 12, 13, 14)


@lru_cache(maxsize=4096)
def gtin_key(raw: str) -> str | None:
    """The GTIN as 14 digits (zero-padded) if it is well formed with a valid check digit."""
    try:
        digits = ean.compact(raw)
    except Exception:  # stdnum raises its own ValidationError subclasses on odd input
        return None
    if not digits.isdigit() or len(digits) not in GTIN_LENGTHS or not ean.is_valid(digits):
        return None
    return digits.zfill(14)


def gtin_invalid(ctx: DeclarationContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared GTIN is malformed or fails its check digit (fakes carry made-up codes)."""
    raw = (ctx.declaration.gtin or "").strip()
    if not raw or gtin_key(raw) is not None:
        return None
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) in GTIN_LENGTHS and len(digits) == len(raw.replace(" ", "").replace("-", "")):
        why = "its check digit is wrong"
    else:
        why = "a GTIN has 8, 12, 13 or 14 digits"
    return FeatureResult(
        name="gtin_invalid",
        value=1.0,
        detail=f'declared GTIN "{raw}" is not a valid GTIN: {why}',
    )


def gtin_registration(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """Whether the declared (valid) GTIN is registered to this product, to another product of
    the same brand, to another brand's product (strong evidence), or to nobody.

    The sentence quotes the GTIN as declared and names each product once ("Tropicana Apple
    Juice 1 L", not "Tropicana Tropicana ..."); `evidence` holds its 14-digit form."""
    product = ctx.product
    raw = (ctx.declaration.gtin or "").strip()
    key = gtin_key(raw)
    if key is None:
        return None
    said = f'declared GTIN "{raw}"'
    evidence: dict[str, str | float] = {"gtin": key}
    label = product_label(product.brand, product.name)
    owners = ctx.evidence.gtin_owners.get(key, ())
    if any(p.product_id == product.product_id for p in owners):
        return FeatureResult("gtin_this_product", 1.0, f"{said} is registered to {label}", evidence)
    brand = product.brand.casefold()
    others = sorted({product_label(p.brand, p.name) for p in owners if p.brand.casefold() != brand})
    if others:
        return FeatureResult(
            "gtin_other_brand",
            1.0,
            f"{said} is registered to {_listed(others)}, not to a {product.brand} product",
            evidence,
        )
    if owners:
        names = sorted(product_label(p.brand, p.name) for p in owners)
        return FeatureResult(
            "gtin_other_product",
            1.0,
            f"{said} is registered to {_listed(names)}, not to {label}",
            evidence,
        )
    if product.gtins:
        return FeatureResult(
            "gtin_unregistered",
            1.0,
            f"{said} is not among the GTINs registered for {label}",
            evidence,
        )
    return None


def _listed(labels: list[str]) -> str:
    """Product labels in a sentence: one named, more named with "and"."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
