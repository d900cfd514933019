"""Bodies of the rights holders' webhooks: subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WebhookIn(BaseModel):
    """Where to send alerts and from which level: a lane, a match risk, or both (default yellow)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000, examples=["https://ip.example.com/hooks"])
    min_lane: Literal["green", "yellow", "red"] | None = Field(default=None, examples=["red"])
    min_risk: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)


class WebhookOut(BaseModel):
    """A subscription (its secret is never shown again)."""

    id: str
    url: str
    min_lane: str | None
    min_risk: float | None
    created_at: datetime


class WebhookCreated(WebhookOut):
    """A new subscription with its signing secret, shown this once."""

    secret: str = Field(description="HMAC-SHA256 key of the `Countermark-Signature` header")


class WebhookList(BaseModel):
    """The caller's live subscriptions."""

    items: list[WebhookOut]


class DeliveryOut(BaseModel):
    """One event sent (or being sent) to a subscription, and how it went."""

    id: str
    subscription_id: str
    event_type: Literal["screening.alert", "screening.outcome"]
    screening_id: str
    product_id: str
    state: Literal["due", "sending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    body: str = Field(description="the exact JSON body that was signed and sent")


class DeliveryPage(BaseModel):
    """A page of deliveries, newest first; pass `next_cursor` as `cursor` for the next page."""

    items: list[DeliveryOut]
    next_cursor: str | None
