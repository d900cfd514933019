"""Registration feature: whether the product's registration is still in force."""

from __future__ import annotations

from datetime import date

from matchers.features.base import FeatureResult
from matchers.records import ProductRecord


def registration_expired(product: ProductRecord, *, today: date) -> FeatureResult | None:
    """The registration lapsed (valid_until before today): its evidence counts at reduced weight."""
    if product.valid_until is None or product.valid_until >= today:
        return None
    return FeatureResult(
        name="registration_expired",
        value=1.0,
        detail=f"the registration of {product.name} expired on {product.valid_until.isoformat()}; "
        "its evidence counts at reduced weight",
    )
