"""The Alembic history builds exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from catalog.core.migrate import (
    alembic_config,
    import_all_models,
    schema_revision,
    script_head,
    upgrade_head,
)
from catalog.core.settings import Settings


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


def test_the_head_read_from_the_files_is_alembics() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert [script_head()] == script.get_heads()


def test_upgrade_head_skips_alembic_only_at_the_newest_revision(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'cm.db'}")
    upgrade_head(settings)  # a new database: Alembic builds it
    assert schema_revision(settings) == script_head()
    upgrade_head(settings)  # at the head: nothing to do (and Alembic is not asked)
    command.downgrade(alembic_config(settings.database_url), "-1")
    assert schema_revision(settings) != script_head()
    upgrade_head(settings)  # behind it: Alembic upgrades
    assert schema_revision(settings) == script_head()
    engine = create_engine(settings.database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("screening")}
    finally:
        engine.dispose()
    assert {"log_batch", "log_leaf"} <= columns  # the newest revision's columns are back
