"""One decision-log entry per group commit: the batch's leaves, and each screening's position.

A batch entry (scheme 3) holds the Merkle root of its records' digests in `digest`,
the leaves themselves in `leaves` and their number in `leaf_count`; a screening
logged in a batch names its entry (`log_batch`, the entry's `record_id`) and its
leaf (`log_leaf`), so its entry and inclusion proof are found without a scan.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the batch entries' leaves and the screenings' log position."""
    with op.batch_alter_table("decision_log") as batch:
        batch.add_column(sa.Column("leaf_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("leaves", sa.Text(), nullable=True))
    with op.batch_alter_table("screening") as batch:
        batch.add_column(sa.Column("log_batch", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("log_leaf", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop them again (batch entries then no longer verify)."""
    with op.batch_alter_table("screening") as batch:
        batch.drop_column("log_leaf")
        batch.drop_column("log_batch")
    with op.batch_alter_table("decision_log") as batch:
        batch.drop_column("leaves")
        batch.drop_column("leaf_count")
