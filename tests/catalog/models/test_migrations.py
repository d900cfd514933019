"""The Alembic history builds exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from catalog.core.migrate import import_all_models


def test_autogenerate_finds_no_difference(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, import_all_models())
    finally:
        engine.dispose()
    assert diff == []


def test_constraints_follow_the_naming_convention(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        inspector = inspect(engine)
        assert inspector.get_pk_constraint("product")["name"] == "pk_product"
        uniques = {u["name"] for u in inspector.get_unique_constraints("product_gtin")}
        assert "uq_product_gtin_rights_holder_id_gtin" in uniques
        fks = {f["name"] for f in inspector.get_foreign_keys("reference_image")}
        assert fks == {"fk_reference_image_product_id_product"}
    finally:
        engine.dispose()
