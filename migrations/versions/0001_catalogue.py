"""The catalogue: rights holders, brand aliases, products, GTINs, reference images,
API keys, audit events, the catalogue version and idempotency records.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _id(name: str = "id") -> sa.Column[str]:
    return sa.Column(name, sa.String(length=36), nullable=False)


def upgrade() -> None:
    """Create the catalogue tables and the single catalogue-version row."""
    op.create_table(
        "rights_holder",
        _id(),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_holder")),
    )
    op.create_table(
        "brand_alias",
        _id(),
        _id("rights_holder_id"),
        sa.Column("brand", sa.String(length=300), nullable=False),
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name=op.f("fk_brand_alias_rights_holder_id_rights_holder"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_alias")),
        sa.UniqueConstraint(
            "rights_holder_id",
            "brand",
            "alias",
            name=op.f("uq_brand_alias_rights_holder_id_brand_alias"),
        ),
    )
    op.create_index(op.f("ix_brand_alias_catalog_version"), "brand_alias", ["catalog_version"])
    op.create_index(op.f("ix_brand_alias_rights_holder_id"), "brand_alias", ["rights_holder_id"])
    op.create_table(
        "product",
        _id(),
        _id("rights_holder_id"),
        sa.Column("brand", sa.String(length=300), nullable=False),
        sa.Column("brand_key", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("gtins", sa.JSON(), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.Column("price_min", sa.Float(), nullable=True),
        sa.Column("price_max", sa.Float(), nullable=True),
        sa.Column("price_currency", sa.String(length=3), nullable=True),
        sa.Column("authorized_origins", sa.JSON(), nullable=False),
        sa.Column("authorized_importers", sa.JSON(), nullable=False),
        sa.Column("authorized_exporters", sa.JSON(), nullable=False),
        sa.Column("authenticity_features", sa.JSON(), nullable=False),
        sa.Column("counterfeit_indicators", sa.JSON(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name=op.f("fk_product_rights_holder_id_rights_holder"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
    )
    op.create_index(op.f("ix_product_brand_key"), "product", ["brand_key"])
    op.create_index(op.f("ix_product_catalog_version"), "product", ["catalog_version"])
    op.create_index("ix_product_rights_holder_id_id", "product", ["rights_holder_id", "id"])
    op.create_table(
        "product_gtin",
        sa.Column("id", sa.Integer(), nullable=False),
        _id("rights_holder_id"),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        _id("product_id"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_product_gtin_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name=op.f("fk_product_gtin_rights_holder_id_rights_holder"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_gtin")),
        sa.UniqueConstraint(
            "rights_holder_id", "gtin", name=op.f("uq_product_gtin_rights_holder_id_gtin")
        ),
    )
    op.create_index(op.f("ix_product_gtin_gtin"), "product_gtin", ["gtin"])
    op.create_index(op.f("ix_product_gtin_product_id"), "product_gtin", ["product_id"])
    op.create_table(
        "reference_image",
        _id(),
        _id("product_id"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("local_features", sa.LargeBinary(), nullable=True),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_reference_image_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_image")),
    )
    for column in ("catalog_version", "product_id", "sha256"):
        op.create_index(op.f(f"ix_reference_image_{column}"), "reference_image", [column])
    op.create_table(
        "api_key",
        _id(),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("rights_holder_id", sa.String(length=36), nullable=True),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["rights_holder_id"],
            ["rights_holder.id"],
            name=op.f("fk_api_key_rights_holder_id_rights_holder"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    op.create_index(op.f("ix_api_key_rights_holder_id"), "api_key", ["rights_holder_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("catalog_version", sa.BigInteger(), nullable=True),
        sa.Column("engine_version", sa.String(length=64), nullable=True),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("change_sha256", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_event_hash")),
    )
    version = op.create_table(
        "catalog_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_version")),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0, "updated_at": datetime.now(UTC)}])
    op.create_table(
        "idempotency_record",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_record")),
    )
    op.create_index(op.f("ix_idempotency_record_created_at"), "idempotency_record", ["created_at"])


def downgrade() -> None:
    """Drop every catalogue table."""
    for table in (
        "idempotency_record",
        "catalog_version",
        "audit_event",
        "api_key",
        "reference_image",
        "product_gtin",
        "product",
        "brand_alias",
        "rights_holder",
    ):
        op.drop_table(table)
