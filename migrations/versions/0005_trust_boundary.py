"""The trust boundary: each API key names its client (rotated keys share one).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Give every key a client; an existing key becomes its own client (no name-based twins)."""
    op.add_column("api_key", sa.Column("client_id", sa.String(length=36), nullable=True))
    op.execute("UPDATE api_key SET client_id = id")
    with op.batch_alter_table("api_key") as batch:
        batch.alter_column("client_id", existing_type=sa.String(length=36), nullable=False)
    op.create_index(op.f("ix_api_key_client_id"), "api_key", ["client_id"])


def downgrade() -> None:
    """Drop what upgrade made."""
    op.drop_index(op.f("ix_api_key_client_id"), "api_key")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("client_id")
