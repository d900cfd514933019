"""Webhook tables: rights holders' subscriptions, the alert-event outbox and the delivery log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column as SaColumn
from sqlalchemy import Float, Index, Integer, Text
from sqlmodel import Field, SQLModel

from catalog.core.ids import new_id
from catalog.models.base import UtcDateTime, timestamp_field


class WebhookSubscription(SQLModel, table=True):
    """A rights holder's URL and the level (lane or risk) from which it is told of screenings.

    The secret is kept in clear: signing needs it. It is shown to the holder once.
    """

    __tablename__ = "webhook_subscription"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", index=True, max_length=36)
    url: str = Field(max_length=2000)
    min_lane: str | None = Field(default=None, max_length=16)
    min_risk: float | None = Field(default=None, sa_column=SaColumn(Float, nullable=True))
    secret: str = Field(max_length=100)
    created_at: datetime = timestamp_field()
    deleted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class WebhookEvent(SQLModel, table=True):
    """Outbox row written in the same transaction as a screening with hits, or an outcome."""

    __tablename__ = "webhook_event"
    __table_args__ = (Index("ix_webhook_event_state_id", "state", "id"),)

    id: int | None = Field(
        default=None, sa_column=SaColumn(Integer, primary_key=True, autoincrement=True)
    )
    kind: str = Field(max_length=16)  # "screening" or "outcome"
    screening_id: str = Field(max_length=36)
    outcome: str | None = Field(default=None, max_length=16)
    state: str = Field(default="pending", max_length=16)  # "pending" until fanned out, then "done"
    created_at: datetime = timestamp_field()


class WebhookDelivery(SQLModel, table=True):
    """One signed event for one subscription: its body, its state and its attempts."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_rights_holder_id_id", "rights_holder_id", "id"),
        Index("ix_webhook_delivery_screening_id", "screening_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    subscription_id: str = Field(foreign_key="webhook_subscription.id", max_length=36)
    rights_holder_id: str = Field(max_length=36)
    event_type: str = Field(max_length=32)
    screening_id: str = Field(max_length=36)
    product_id: str = Field(max_length=64)
    body: str = Field(sa_column=SaColumn(Text, nullable=False))
    # "due" (waiting for its next attempt), "sending" (claimed until next_attempt_at),
    # "delivered", or "failed" (attempts exhausted).
    state: str = Field(default="due", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field()
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field()
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
