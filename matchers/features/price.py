"""Price feature: the declared unit value against the genuine price range."""

from __future__ import annotations

import math

from matchers.features.base import FeatureResult
from matchers.features.context import CandidateContext
from matchers.scoring import FxQuote
from matchers.weights import FeatureConfig


def price_vs_range(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """Declared unit value as a share of the genuine minimum, converted at the rate valid on the
    declaration date (the sentence names that rate and its date, `evidence` its source).
    Customs values are import values (often 40-60% of retail), so only a share well below
    ~40% counts, strongly below 25%; without a usable rate the feature abstains."""
    declared, genuine = ctx.declaration.unit_value, ctx.product.price
    if declared is None or genuine is None or genuine.min <= 0 or math.isnan(declared.amount):
        return None
    day = ctx.declaration.declared_on or ctx.today
    quote = ctx.fx.quote(from_currency=declared.currency, to_currency=genuine.currency, on=day)
    said = f"{declared.amount:.2f} {declared.currency.upper()}"
    if quote is None:
        return FeatureResult(
            name="price_unavailable",
            value=0.0,
            detail=f"no exchange rate {declared.currency.upper()}->{genuine.currency.upper()} "
            f"valid on {day.isoformat()}: the declared {said} was not compared",
        )
    converted = declared.amount * quote.value
    ratio = max(converted, 0.0) / genuine.min
    evidence: dict[str, str | float] | None = None
    if quote.used:
        said += f" ({converted:.2f} {genuine.currency.upper()} at {_rates_said(quote)})"
        evidence = _rates_evidence(quote, converted, to=genuine.currency.upper())
    where = f"declared {said} a unit is {ratio:.0%} of the genuine minimum "
    where += f"{genuine.min:.2f} {genuine.currency.upper()}"
    plausible, far = config.price_plausible_ratio, config.price_far_below_ratio
    if ratio >= plausible:
        return FeatureResult(
            "price_plausible", 1.0, where + ", plausible for an import value", evidence
        )
    if ratio >= far:
        value = (plausible - ratio) / (plausible - far)
        return FeatureResult(
            "price_below_range", round(value, 4), where + ", low for genuine", evidence
        )
    # the floor at the boundary, rising to 1.0 for a declared value of nothing
    floor = config.price_far_below_floor
    value = floor + (1.0 - floor) * (far - ratio) / far
    return FeatureResult(
        "price_far_below_range",
        round(value, 4),
        where + ", far below any genuine import value",
        evidence,
    )


def _rate_text(quote: FxQuote) -> list[str]:
    # as published: "1 EUR = 1.0812 USD", whichever way the conversion went
    return [f"1 {r.base.upper()} = {r.rate:.6g} {r.quote.upper()}" for r in quote.used]


def _rates_said(quote: FxQuote) -> str:
    """The rates a conversion used and their dates, for the sentence: "1 EUR = 1.0812 USD,
    the rate of 2026-11-27"."""
    days = sorted({r.valid_from.isoformat() for r in quote.used})
    if len(quote.used) == 1:
        return f"{_rate_text(quote)[0]}, the rate of {days[0]}"
    return f"{' and '.join(_rate_text(quote))}, the rates of {' and '.join(days)}"


def _rates_evidence(quote: FxQuote, converted: float, *, to: str) -> dict[str, str | float]:
    """The conversion in structured form: the rates used, from when, who published them."""
    sources = sorted({r.source for r in quote.used if r.source})
    out: dict[str, str | float] = {
        "converted": round(converted, 4),
        "converted_currency": to,
        "rate": round(quote.value, 8),
        "rates_used": "; ".join(_rate_text(quote)),
        "rates_valid_from": "; ".join(r.valid_from.isoformat() for r in quote.used),
    }
    if sources:
        out["rates_source"] = "; ".join(sources)
    return out
