"""Migration 0006 gives each existing brand and GTIN to the holder with its oldest product.

It runs on a fresh SQLite file from revision 0005 (the PostgreSQL test database is
shared by a worker and already at head); the seeding SQL is plain SQL for both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from catalog.core.migrate import alembic_config


def test_existing_brands_and_gtins_go_to_the_holder_with_the_oldest_product(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0005")
    engine = create_engine(url)
    product = (
        "INSERT INTO product (id, rights_holder_id, brand, brand_key, name, description, gtins,"
        " hs_codes, authorized_origins, authorized_importers, authorized_exporters,"
        " authenticity_features, counterfeit_indicators, status, search_text,"
        " catalog_version, created_at, updated_at)"
        " VALUES (:id, :holder, :brand, :key, 'n', '', '[]', '[]', '[]', '[]', '[]', '[]', '[]',"
        " 'active', 'n', 1, :at, :at)"
    )
    try:
        with engine.begin() as conn:
            for holder in ("h-late", "h-early"):
                conn.execute(
                    text(
                        "INSERT INTO rights_holder (id, name, status, created_at)"
                        " VALUES (:id, :id, 'active', :at)"
                    ),
                    {"id": holder, "at": datetime(2026, 1, 1, tzinfo=UTC)},
                )
            for pid, holder, day in (("p-late", "h-late", 9), ("p-early", "h-early", 2)):
                conn.execute(
                    text(product),
                    {
                        "id": pid,
                        "holder": holder,
                        "brand": "Nike",
                        "key": "nike",
                        "at": datetime(2026, 1, day, tzinfo=UTC),
                    },
                )
                conn.execute(
                    text(
                        "INSERT INTO product_gtin (rights_holder_id, gtin, product_id)"
                        " VALUES (:holder, '00012345678905', :pid)"
                    ),
                    {"holder": holder, "pid": pid},
                )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            brands = conn.execute(text("SELECT brand_key, rights_holder_id FROM brand_owner"))
            gtins = conn.execute(text("SELECT gtin, rights_holder_id FROM gtin_owner"))
            assert [tuple(r) for r in brands] == [("nike", "h-early")]
            assert [tuple(r) for r in gtins] == [("00012345678905", "h-early")]
    finally:
        engine.dispose()
