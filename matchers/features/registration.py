"""Registration feature: whether the product's registration is still in force."""

from __future__ import annotations

from matchers.features.base import FeatureResult
from matchers.features.context import CandidateContext
from matchers.weights import FeatureConfig


def registration_expired(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The registration lapsed (valid_until before today): its evidence counts at reduced weight."""
    product = ctx.product
    if product.valid_until is None or product.valid_until >= ctx.today:
        return None
    return FeatureResult(
        name="registration_expired",
        value=1.0,
        detail=f"the registration of {product.name} expired on {product.valid_until.isoformat()}; "
        "its evidence counts at reduced weight",
    )
