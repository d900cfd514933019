"""Learning from outcomes: webhook subscriptions, the alert-event outbox, the delivery log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the webhook tables."""
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("min_lane", sa.String(length=16), nullable=True),
        sa.Column("min_risk", sa.Float(), nullable=True),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("deleted_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name="fk_webhook_subscription_rights_holder_id_rights_holder",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    op.create_index(
        "ix_webhook_subscription_rights_holder_id", "webhook_subscription", ["rights_holder_id"]
    )
    op.create_table(
        "webhook_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_event")),
    )
    op.create_index("ix_webhook_event_state_id", "webhook_event", ["state", "id"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name="fk_webhook_delivery_subscription_id_webhook_subscription",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index(
        "ix_webhook_delivery_state_next_attempt_at",
        "webhook_delivery",
        ["state", "next_attempt_at"],
    )
    op.create_index(
        "ix_webhook_delivery_rights_holder_id_id", "webhook_delivery", ["rights_holder_id", "id"]
    )
    op.create_index("ix_webhook_delivery_screening_id", "webhook_delivery", ["screening_id"])


def downgrade() -> None:
    """Drop the webhook tables."""
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_event")
    op.drop_table("webhook_subscription")
