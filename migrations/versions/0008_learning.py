"""Learning from outcomes: stored weights versions and shadow scores.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the weights versions and shadow scores tables."""
    op.create_table(
        "weights_version",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_weights_version")),
    )
    op.create_table(
        "shadow_score",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("weights_version", sa.String(length=64), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("live_lane", sa.String(length=16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shadow_score")),
    )
    op.create_index(
        op.f("ix_shadow_score_weights_version_id"), "shadow_score", ["weights_version", "id"]
    )
    op.create_index(op.f("ix_shadow_score_screening_id"), "shadow_score", ["screening_id"])


def downgrade() -> None:
    """Drop what upgrade made."""
    op.drop_index(op.f("ix_shadow_score_screening_id"), "shadow_score")
    op.drop_index(op.f("ix_shadow_score_weights_version_id"), "shadow_score")
    op.drop_table("shadow_score")
    op.drop_table("weights_version")
