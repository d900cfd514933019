"""Accountable decisions: the hash-chained decision log and its head; prior catalogue versions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
GENESIS_HASH = "0" * 64


def upgrade() -> None:
    """Create the decision log (with its seeded head row) and the catalogue history tables."""
    op.create_table(
        "decision_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("logged_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_decision_log")),
    )
    op.create_index("ix_decision_log_record_id", "decision_log", ["record_id"])
    head = op.create_table(
        "decision_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_log_head")),
    )
    op.bulk_insert(head, [{"id": 1, "size": 0, "hash": GENESIS_HASH}])
    op.create_table(
        "product_version",
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("replaced_at_version", sa.BigInteger(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("product_id", "catalog_version", name=op.f("pk_product_version")),
    )
    op.create_table(
        "reference_image_version",
        sa.Column("image_id", sa.String(length=36), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("removed_at_version", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("local_features", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint(
            "image_id", "catalog_version", name=op.f("pk_reference_image_version")
        ),
    )
    op.create_index(
        op.f("ix_reference_image_version_product_id"), "reference_image_version", ["product_id"]
    )


def downgrade() -> None:
    """Drop what upgrade made."""
    op.drop_index(op.f("ix_reference_image_version_product_id"), "reference_image_version")
    op.drop_table("reference_image_version")
    op.drop_table("product_version")
    op.drop_table("decision_log_head")
    op.drop_index("ix_decision_log_record_id", "decision_log")
    op.drop_table("decision_log")
