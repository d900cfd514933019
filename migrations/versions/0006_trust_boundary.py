"""The trust boundary: each API key names its client; brands and GTINs have one owner.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
# Each brand (and alias) and each GTIN goes to the holder with its oldest product.
SEED_BRANDS = """
INSERT INTO brand_owner (brand_key, brand, rights_holder_id, assigned_at)
SELECT k.brand_key, MIN(k.brand), MIN(k.rights_holder_id), CURRENT_TIMESTAMP
FROM (
    SELECT p.brand_key, p.brand, p.rights_holder_id FROM product p
    WHERE p.created_at = (SELECT MIN(q.created_at) FROM product q WHERE q.brand_key = p.brand_key)
) k
GROUP BY k.brand_key
"""
SEED_GTINS = """
INSERT INTO gtin_owner (gtin, rights_holder_id, claimed_at)
SELECT g.gtin, MIN(g.rights_holder_id), CURRENT_TIMESTAMP
FROM product_gtin g JOIN product p ON p.id = g.product_id
WHERE p.created_at = (
    SELECT MIN(q.created_at) FROM product_gtin h JOIN product q ON q.id = h.product_id
    WHERE h.gtin = g.gtin
)
GROUP BY g.gtin
"""


def upgrade() -> None:
    """Give every key a client; an existing key becomes its own client (no name-based twins)."""
    op.add_column("api_key", sa.Column("client_id", sa.String(length=36), nullable=True))
    op.execute("UPDATE api_key SET client_id = id")
    with op.batch_alter_table("api_key") as batch:
        batch.alter_column("client_id", existing_type=sa.String(length=36), nullable=False)
    op.create_index(op.f("ix_api_key_client_id"), "api_key", ["client_id"])
    op.create_table(
        "brand_owner",
        sa.Column("brand_key", sa.String(length=300), nullable=False),
        sa.Column("brand", sa.String(length=300), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=36), nullable=False),
        sa.Column("trademark_number", sa.String(length=64), nullable=True),
        sa.Column("trademark_office", sa.String(length=64), nullable=True),
        sa.Column("assigned_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name=op.f("fk_brand_owner_rights_holder_id_rights_holder"),
        ),
        sa.PrimaryKeyConstraint("brand_key", name=op.f("pk_brand_owner")),
    )
    op.create_index(op.f("ix_brand_owner_rights_holder_id"), "brand_owner", ["rights_holder_id"])
    op.create_table(
        "gtin_owner",
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=36), nullable=False),
        sa.Column("claimed_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name=op.f("fk_gtin_owner_rights_holder_id_rights_holder"),
        ),
        sa.PrimaryKeyConstraint("gtin", name=op.f("pk_gtin_owner")),
    )
    op.create_index(op.f("ix_gtin_owner_rights_holder_id"), "gtin_owner", ["rights_holder_id"])
    op.execute(SEED_BRANDS)
    op.execute(SEED_GTINS)


def downgrade() -> None:
    """Drop what upgrade made."""
    op.drop_index(op.f("ix_gtin_owner_rights_holder_id"), "gtin_owner")
    op.drop_table("gtin_owner")
    op.drop_index(op.f("ix_brand_owner_rights_holder_id"), "brand_owner")
    op.drop_table("brand_owner")
    op.drop_index(op.f("ix_api_key_client_id"), "api_key")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("client_id")
