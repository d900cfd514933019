"""Replay and a cheaper log: digest scheme and origin of log entries; alias and rate history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the log entries' scheme and origin; create the alias and rate history tables."""
    with op.batch_alter_table("decision_log") as batch:
        batch.add_column(sa.Column("scheme", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))
    op.create_table(
        "brand_alias_version",
        sa.Column("alias_id", sa.String(length=36), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=36), nullable=False),
        sa.Column("brand", sa.String(length=300), nullable=False),
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("removed_at_version", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("alias_id", name=op.f("pk_brand_alias_version")),
    )
    op.create_index(
        "ix_brand_alias_version_rights_holder_id", "brand_alias_version", ["rights_holder_id"]
    )
    op.create_table(
        "fx_rate_version",
        sa.Column("rate_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("replaced_at_version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("rate_id", name=op.f("pk_fx_rate_version")),
    )


def downgrade() -> None:
    """Drop the history tables and the entries' scheme and origin."""
    op.drop_table("fx_rate_version")
    op.drop_index("ix_brand_alias_version_rights_holder_id", "brand_alias_version")
    op.drop_table("brand_alias_version")
    with op.batch_alter_table("decision_log") as batch:
        batch.drop_column("origin")
        batch.drop_column("scheme")
