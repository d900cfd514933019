"""Screening: screenings, their hits and outcomes, exchange rates, scoring settings;
on PostgreSQL, NOTIFY triggers so every worker refreshes its index at once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
CHANNEL = "countermark_catalog"
# A catalogue, exchange-rate or settings change wakes every listening worker.
NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION countermark_notify_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
TRIGGERS = {
    "catalog_version": "AFTER INSERT OR UPDATE",
    "fx_rate": "AFTER INSERT OR UPDATE OR DELETE",
    "scoring_settings": "AFTER INSERT OR UPDATE OR DELETE",
}


def upgrade() -> None:
    """Create the screening tables (and the PostgreSQL change notifications)."""
    op.create_table(
        "screening",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("api_key_id", sa.String(length=64), nullable=False),
        sa.Column("client_role", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("screened_on", sa.Date(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("verdict", sa.String(length=36), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=False),
        sa.Column("engine_version", sa.String(length=64), nullable=False),
        sa.Column("weights_version", sa.String(length=64), nullable=False),
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("fx_version", sa.Integer(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("took_ms", sa.Float(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening")),
    )
    op.create_index("ix_screening_api_key_id_created_at", "screening", ["api_key_id", "created_at"])
    op.create_index("ix_screening_created_at", "screening", ["created_at"])
    op.create_table(
        "screening_hit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screening.id"], name="fk_screening_hit_screening_id_screening"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hit")),
    )
    op.create_index(
        "ix_screening_hit_rights_holder_id_id", "screening_hit", ["rights_holder_id", "id"]
    )
    op.create_index("ix_screening_hit_screening_id", "screening_hit", ["screening_id"])
    op.create_table(
        "screening_outcome",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("api_key_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=36), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screening.id"],
            name="fk_screening_outcome_screening_id_screening",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_outcome")),
    )
    op.create_index("ix_screening_outcome_screening_id", "screening_outcome", ["screening_id"])
    op.create_table(
        "fx_rate",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rate")),
        sa.UniqueConstraint(
            "currency", "quote", "valid_from", name="uq_fx_rate_currency_quote_valid_from"
        ),
    )
    op.create_table(
        "scoring_settings",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("api_key_id", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_scoring_settings")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        for table, when in TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER countermark_notify_{table} {when} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION countermark_notify_change()"
            )


def downgrade() -> None:
    """Drop the screening tables and notifications."""
    if op.get_bind().dialect.name == "postgresql":
        for table in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS countermark_notify_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS countermark_notify_change()")
    for table in ("scoring_settings", "fx_rate", "screening_outcome", "screening_hit"):
        op.drop_table(table)
    op.drop_table("screening")
