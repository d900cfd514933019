"""Trade features: origin, importer, exporter and quantity against the registration.

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


# The kind of goods by HS chapter (heading first), in words a sentence can use, and from how
# many units one consignment of them is a commercial quantity rather than a personal one:
# a traveller may carry two pairs of shoes or a watch, not a dozen.
GOODS_BY_HS: dict[str, tuple[str, int]] = {
    "8506": ("batteries", 100),
    "22": ("beverages", 96),
    "33": ("perfume and cosmetics", 12),
    "42": ("bags and leather goods", 5),
    "61": ("clothing", 20),
    "62": ("clothing", 20),
    "64": ("footwear", 10),
    "71": ("jewellery", 5),
    "85": ("electronics", 10),
    "90": ("optical goods", 5),
    "91": ("watches", 5),
    "95": ("toys and games", 10),
}


def kind_of_goods(product: ProductRecord, default_from: int) -> tuple[str | None, int]:
    """What the product is, in words (None when unknown), and from how many units a
    consignment of it is commercial: by its first HS code, else its category's words
    with `default_from` units."""
    for code in product.hs_codes:
        digits = "".join(ch for ch in code if ch.isdigit())
        for key in (digits[:4], digits[:2]):
            if key in GOODS_BY_HS:
                return GOODS_BY_HS[key]
    category = (product.category or "").strip().lower()
    return (category or None), default_from


def commercial_quantity(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """Many units of a product worth copying (genuine minimum >= `commercial_min_eur`) in one
    consignment, counted against its kind of goods (10 pairs of shoes, 5 watches: see
    `GOODS_BY_HS`); worded by what the goods are, "luxury" only from `luxury_min_eur`."""
    qty, price = ctx.declaration.quantity, ctx.product.price
    kind, start = kind_of_goods(ctx.product, config.commercial_quantity)
    if qty is None or qty < start or price is None:
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
    span = math.log(config.commercial_quantity_full / config.commercial_quantity)  # per kind
    floor = config.commercial_quantity_floor
    value = floor + (1.0 - floor) * clamp01(math.log(qty / start) / span)
    goods = kind or "goods of this kind"
    said = f"luxury {goods}" if min_eur >= config.luxury_min_eur else goods
    label = product_label(ctx.product.brand, ctx.product.name)
    return FeatureResult(
        "commercial_quantity",
        round(value, 4),
        f"{qty} units of {label} (genuine from {min_eur:,.0f} EUR a unit, "
        f"{qty * min_eur:,.0f} EUR at genuine prices): a commercial quantity of {said} "
        f"({start} units or more)",
        {"kind_of_goods": goods, "commercial_from_units": float(start)},
    )
