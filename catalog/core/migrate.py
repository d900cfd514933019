"""Apply the Alembic migrations programmatically (what `countermark serve` runs first)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import make_url

from catalog.core.settings import Settings, normalize_database_url

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def import_all_models() -> MetaData:
    """Register every table (the `catalog.models` package imports them all); return the metadata."""
    from catalog.models import metadata

    return metadata


def alembic_config(database_url: str) -> Config:
    """An Alembic config for this package's migrations, pointed at `database_url`."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an ini option: URLs may hold '%' that configparser rejects.
    config.attributes["database_url"] = normalize_database_url(database_url)
    return config


def target_url(config: Config) -> str:
    """The database URL a config targets: the caller's, else COUNTERMARK_DATABASE_URL."""
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    return Settings().database_url


def upgrade_head(settings: Settings) -> None:
    """Bring the database of `settings` to the newest schema."""
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings.database_url), "head")


def schema_revision(settings: Settings) -> str | None:
    """The Alembic revision the database is at; None when it has no Countermark schema.

    Never creates anything: a missing SQLite file is None without being opened.
    """
    url = make_url(settings.database_url)
    if settings.is_sqlite and (not url.database or not Path(url.database).exists()):
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
