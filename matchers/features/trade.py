"""Trade features: origin, importer, exporter, HS code and quantity against the registration.

Allow-lists come first: a party or origin the rights holder authorised is evidence
of genuine trade and lowers risk. An empty list means "not registered" and abstains.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pycountry

from matchers.features.base import FeatureResult, clamp01, norm, product_label
from matchers.features.context import CandidateContext
from matchers.records import ProductRecord
from matchers.weights import FeatureConfig


@lru_cache(maxsize=1024)
def country_code(text: str) -> str:
    """ISO 3166 alpha-2 code for a code or name ("CN", "CHN", "China"); else the cleaned text."""
    cleaned = text.strip().upper()
    if not cleaned:
        return ""
    try:
        return str(pycountry.countries.lookup(cleaned).alpha_2)
    except LookupError:
        return cleaned


def origin_authorized(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared origin country is (or is not) one the rights holder authorised."""
    allowed = sorted({country_code(c) for c in ctx.product.authorized_origins} - {""})
    origin = country_code(ctx.declaration.origin_country or "")
    if not allowed or not origin:
        return None
    if origin in allowed:
        return FeatureResult("origin_authorized", 1.0, f"origin {origin} is an authorised origin")
    return FeatureResult(
        "origin_unauthorized",
        1.0,
        f"origin {origin} is not among the authorised origins {', '.join(allowed)}",
    )


def party_key(name: str) -> str:
    """A trade party's name for comparison: normalised, spaces and punctuation dropped
    ("B.V." = "BV", "Co., Ltd" = "Co Ltd")."""
    return "".join(ch for ch in norm(name) if ch.isalnum())


def _party(
    role: str, declared: str | None, allowed: tuple[str, ...], product: ProductRecord
) -> FeatureResult | None:
    if not declared or not allowed:
        return None
    names = {party_key(a) for a in allowed} - {""}
    who = party_key(declared)
    if not names or not who:
        return None
    # The sentences never name the declared party: it is personal data (catalog/access/privacy).
    if who in names:
        return FeatureResult(
            f"{role}_authorized",
            1.0,
            f"the declared {role} is on {product.brand}'s authorised list",
        )
    return FeatureResult(
        f"{role}_not_authorized",
        1.0,
        f"the declared {role} is not "
        + (
            f"the {role} {product.brand} authorised"
            if len(names) == 1
            else f"among the {len(names)} {role}s {product.brand} authorised"
        ),
    )


def importer_authorized(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared importer is (or is not) on the product's authorised importer list."""
    product = ctx.product
    return _party("importer", ctx.declaration.importer, product.authorized_importers, product)


def exporter_authorized(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared exporter is (or is not) on the product's authorised exporter list."""
    product = ctx.product
    return _party("exporter", ctx.declaration.exporter, product.authorized_exporters, product)


def _digits(code: str) -> str:
    return "".join(c for c in code if c.isdigit())


def hs_code(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared HS code against the product's: same heading (4 digits), same chapter
    (2 digits) or another chapter (misclassification is a common way to avoid scrutiny)."""
    if not ctx.declaration.hs_code or not ctx.product.hs_codes:
        return None
    declared = _digits(ctx.declaration.hs_code)
    ours = sorted({_digits(c) for c in ctx.product.hs_codes} - {""})
    if len(declared) < 2 or not ours:
        return None
    level = 4 if len(declared) >= 4 else 2  # a 2-digit declaration is compared by chapter
    if any(o[:level] == declared[:level] for o in ours):
        return FeatureResult(
            "hs_code_consistent",
            1.0,
            f"HS {declared} is in the product's {('chapter', 'heading')[level == 4]} "
            f"{declared[:level]}",
        )
    if any(o[:2] == declared[:2] for o in ours):
        return FeatureResult(
            "hs_code_other_heading",
            1.0,
            f"HS {declared} is in chapter {declared[:2]} but not the product's heading "
            f"{', '.join(sorted({o[:4] for o in ours}))}",
        )
    return FeatureResult(
        "hs_code_other_chapter",
        1.0,
        f"HS {declared} is outside the product's chapters "
        f"{', '.join(sorted({o[:2] for o in ours}))}",
    )


def commercial_quantity(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """Many units of a product worth copying (genuine minimum >= `commercial_min_eur`) in one
    consignment; worded by what the goods are, "luxury goods" only from `luxury_min_eur`."""
    qty, price = ctx.declaration.quantity, ctx.product.price
    if qty is None or qty < config.commercial_quantity or price is None:
        return None
    day = ctx.declaration.declared_on or ctx.today
    rate = ctx.fx.rate(from_currency=price.currency, to_currency="EUR", on=day)
    if rate is None:
        return FeatureResult(
            "commercial_quantity",
            0.0,
            f"{qty} units, but no {price.currency.upper()}->EUR rate on {day.isoformat()} "
            "to tell what the consignment is worth",
        )
    min_eur = price.min * rate
    if min_eur < config.commercial_min_eur:
        return None
    span = math.log(config.commercial_quantity_full / config.commercial_quantity)
    floor = config.commercial_quantity_floor
    value = floor + (1.0 - floor) * clamp01(math.log(qty / config.commercial_quantity) / span)
    kind = "luxury goods" if min_eur >= config.luxury_min_eur else "branded goods"
    label = product_label(ctx.product.brand, ctx.product.name)
    return FeatureResult(
        "commercial_quantity",
        round(value, 4),
        f"{qty} units of {label} (genuine from {min_eur:,.0f} EUR a unit, "
        f"{qty * min_eur:,.0f} EUR at genuine prices): a commercial quantity of {kind}",
    )
