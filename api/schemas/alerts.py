"""Bodies of the rights holder's alert list."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.screening import Lane, SignalOut, Verdict


class AlertOutcome(BaseModel):
    """What the inspection found, and when it was recorded."""

    outcome: Literal["counterfeit", "genuine", "inconclusive"]
    recorded_at: datetime


class AlertOut(BaseModel):
    """A screening that implicated one of the rights holder's products, or its brand when no
    product was identified (a look-alike: `product_id` null); no personal data."""

    screening_id: str
    product_id: str | None
    product_brand: str
    product_name: str
    risk: float
    similarity: float
    verdict: Verdict
    lane: Lane
    signals: list[SignalOut]
    screened_at: datetime
    outcome: AlertOutcome | None = Field(description="the latest inspection outcome, if any")


class AlertPage(BaseModel):
    """A page of alerts, newest first; pass `next_cursor` as `cursor` for the next page."""

    items: list[AlertOut]
    next_cursor: str | None
