"""Apply the Alembic migrations programmatically (what `countermark serve` runs first).

A database already at the newest revision (every start but the first after an upgrade) is
told from the version table and the revision ids written in `migrations/versions/`, without
importing Alembic or running its environment: that cost every start and every command
~0.15 s of CPU for nothing. Anything else (no schema, an older one, a file not read as
expected) goes through Alembic as before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, MetaData, create_engine, inspect, text
from sqlalchemy.engine import make_url

from catalog.core.settings import Settings, normalize_database_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_REVISION = re.compile(r"^revision(?:: str)? = [\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (.*)$", re.MULTILINE)


def import_all_models() -> MetaData:
    """Register every table (the `catalog.models` package imports them all); return the metadata."""
    from catalog.models import metadata

    return metadata


def alembic_config(database_url: str) -> Config:
    """An Alembic config for this package's migrations, pointed at `database_url`."""
    from alembic.config import Config

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
    head = script_head()
    if head is not None:
        engine = create_engine(make_url(settings.database_url))
        try:
            with engine.connect() as conn:
                if current_revisions(conn) == (head,):
                    return
        finally:
            engine.dispose()
    from alembic import command

    command.upgrade(alembic_config(settings.database_url), "head")


def script_head() -> str | None:
    """The newest revision of `migrations/versions/`, read from the files' revision lines
    (None unless exactly one revision is no other's parent)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        if path.name.startswith("__"):  # as Alembic, which never reads __init__.py
            continue
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revisions(conn: Connection) -> tuple[str, ...]:
    """The revisions Alembic's version table holds (none without the table), sorted."""
    if not inspect(conn).has_table("alembic_version"):
        return ()
    rows = conn.execute(text("SELECT version_num FROM alembic_version"))
    return tuple(sorted(str(r[0]) for r in rows))


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
            revisions = current_revisions(conn)
    finally:
        engine.dispose()
    if len(revisions) > 1:
        raise RuntimeError(f"the database is at several revisions: {', '.join(revisions)}")
    return revisions[0] if revisions else None
