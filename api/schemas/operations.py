"""Bodies of the operator's endpoints: exchange rates and scoring settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, model_validator

from api.schemas.common import not_a_boolean
from api.schemas.screening import Currency, StrictModel, finite
from catalog.products.validation import IsoDate

# The bounds before the validator: pydantic then publishes them as `minimum`/`maximum`.
Fraction = Annotated[float, Field(ge=0, le=1), BeforeValidator(not_a_boolean)]


class FxRateIn(StrictModel):
    """One unit of `currency` is worth `rate` units of `quote` from `valid_from` to `valid_to`."""

    currency: Currency = Field(examples=["USD"])
    quote: Currency = Field(default="EUR", examples=["EUR"])
    rate: Annotated[float, Field(gt=0, examples=[0.92]), AfterValidator(finite)]
    valid_from: IsoDate = Field(examples=["2026-11-01"])
    valid_to: IsoDate = Field(examples=["2026-11-30"])

    @model_validator(mode="after")
    def _period(self) -> FxRateIn:
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.currency == self.quote:
            raise ValueError("currency and quote are the same")
        return self


class FxRatesIn(StrictModel):
    """A set of official rates, e.g. a month of customs exchange rates."""

    source: str | None = Field(default=None, max_length=200, examples=["ECB monthly customs rates"])
    rates: list[FxRateIn] = Field(min_length=1, max_length=5000)


class FxRatesOut(BaseModel):
    """How many rates were stored."""

    stored: int
    fx_version: int


class ThresholdsIn(StrictModel):
    """Lane thresholds on the risk in [0, 1]: yellow from `yellow`, red from `red`."""

    # Zero is allowed: it sends every implicated item to that lane (e.g. during a campaign).
    yellow: Fraction = Field(examples=[0.5])
    red: Fraction = Field(examples=[0.8])
    min_similarity: Fraction | None = Field(
        default=None, description="how similar an item must be to count as a match"
    )
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _ordered(self) -> ThresholdsIn:
        if self.red < self.yellow:
            raise ValueError("red must be at least yellow")
        return self


class ScoringSettingsOut(BaseModel):
    """The scoring settings in force."""

    version: int
    thresholds: dict[str, float | int] = Field(
        examples=[{"yellow": 0.35, "red": 0.7, "min_similarity": 0.5, "max_candidates": 10}]
    )
    weights_version: str
    updated_at: datetime | None
