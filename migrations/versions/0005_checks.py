"""Checks: officers' checks of physical items and the fakes' photos proposed as references.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the officer_check and proposed_reference tables."""
    op.create_table(
        "officer_check",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("api_key_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("barcode", sa.JSON(), nullable=True),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("photo_width", sa.Integer(), nullable=True),
        sa.Column("photo_height", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screening.id"], name="fk_officer_check_screening_id_screening"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_check")),
        sa.UniqueConstraint("screening_id", name="uq_officer_check_screening_id"),
    )
    op.create_index("ix_officer_check_api_key_id_id", "officer_check", ["api_key_id", "id"])
    op.create_table(
        "proposed_reference",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("check_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=36), nullable=False),
        sa.Column("photo_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reference_image_id", sa.String(length=36), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"], ["officer_check.id"], name="fk_proposed_reference_check_id_officer_check"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name="fk_proposed_reference_product_id_product"
        ),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name="fk_proposed_reference_rights_holder_id_rights_holder",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposed_reference")),
        sa.UniqueConstraint(
            "check_id", "product_id", name="uq_proposed_reference_check_id_product_id"
        ),
    )
    op.create_index(
        "ix_proposed_reference_rights_holder_id_id",
        "proposed_reference",
        ["rights_holder_id", "id"],
    )


def downgrade() -> None:
    """Drop the checks tables."""
    op.drop_table("proposed_reference")
    op.drop_table("officer_check")
