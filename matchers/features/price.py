"""Price feature: the declared unit value against the genuine price range."""

from __future__ import annotations

import math

from matchers.features.base import FeatureResult
from matchers.features.context import CandidateContext
from matchers.weights import FeatureConfig


def price_vs_range(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """Declared unit value as a share of the genuine minimum, converted at the rate valid on the
    declaration date. Customs values are import values (often 40-60% of retail), so only a share
    well below ~40% counts, strongly below 25%; without a usable rate the feature abstains."""
    declared, genuine = ctx.declaration.unit_value, ctx.product.price
    if declared is None or genuine is None or genuine.min <= 0 or math.isnan(declared.amount):
        return None
    day = ctx.declaration.declared_on or ctx.today
    converted = ctx.fx.convert(declared, to=genuine.currency, on=day)
    said = f"{declared.amount:.2f} {declared.currency.upper()}"
    if converted is None:
        return FeatureResult(
            name="price_unavailable",
            value=0.0,
            detail=f"no exchange rate {declared.currency.upper()}->{genuine.currency.upper()} "
            f"valid on {day.isoformat()}: the declared {said} was not compared",
        )
    ratio = max(converted, 0.0) / genuine.min
    if declared.currency.upper() != genuine.currency.upper():
        said += f" ({converted:.2f} {genuine.currency.upper()} at the rate of {day.isoformat()})"
    where = f"declared {said} a unit is {ratio:.0%} of the genuine minimum "
    where += f"{genuine.min:.2f} {genuine.currency.upper()}"
    plausible, far = config.price_plausible_ratio, config.price_far_below_ratio
    if ratio >= plausible:
        return FeatureResult("price_plausible", 1.0, where + ", plausible for an import value")
    if ratio >= far:
        value = (plausible - ratio) / (plausible - far)
        return FeatureResult("price_below_range", round(value, 4), where + ", low for genuine")
    # the floor at the boundary, rising to 1.0 for a declared value of nothing
    floor = config.price_far_below_floor
    value = floor + (1.0 - floor) * (far - ratio) / far
    return FeatureResult(
        "price_far_below_range", round(value, 4), where + ", far below any genuine import value"
    )
