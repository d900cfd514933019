"""Test fixtures: a real database per test, on SQLite or PostgreSQL.

`COUNTERMARK_TEST_DATABASE=sqlite|postgresql` (default sqlite) picks the backend.
Each xdist worker migrates its own database once with `alembic upgrade head`:
SQLite tests then get a fresh copy of that file; PostgreSQL tests share the
worker's database, emptied (and its seed rows restored) after each test.
PostgreSQL is reached through COUNTERMARK_TEST_POSTGRES_URL (default
postgresql+psycopg://root@127.0.0.1:5432/postgres, trust auth).

Settings are built explicitly from these fixtures (never from the environment) and
handed to `create_app`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from api.app import create_app
from catalog.access.keys import CLI_ACTOR, create_key, resolve_key
from catalog.core.db import Database
from catalog.core.migrate import upgrade_head
from catalog.core.settings import Settings
from catalog.products.rights_holders import create_rights_holder

BACKEND = os.environ.get("COUNTERMARK_TEST_DATABASE", "sqlite").strip().lower()
POSTGRES_ADMIN_URL = os.environ.get(
    "COUNTERMARK_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/postgres"
)
if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError("COUNTERMARK_TEST_DATABASE must be sqlite or postgresql")


class TestSettings(Settings):
    """Settings from explicit arguments only: the developer's environment cannot leak in."""

    __test__ = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """This worker's migrated database: a SQLite file to copy, or a PostgreSQL URL."""
    if BACKEND == "sqlite":
        folder = tmp_path_factory.mktemp("template")
        path = folder / "template.db"
        upgrade_head(TestSettings(data_dir=folder, database_url=f"sqlite:///{path}"))
        with sqlite3.connect(path) as conn:  # fold the WAL into the file before copying it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        yield {"path": path}
        return
    name = f"countermark_test_{_worker()}_{os.getpid()}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for stale in _stale_test_databases(conn):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)'))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_head(TestSettings(data_dir=tmp_path_factory.mktemp("pg"), database_url=url))
    seeds = _snapshot_seed_rows(url)
    yield {"url": url, "seeds": seeds}
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _stale_test_databases(conn: Any) -> list[str]:
    # Databases left by test runs that were killed: their process no longer exists.
    names = conn.execute(
        text("SELECT datname FROM pg_database WHERE datname LIKE 'countermark_test_%'")
    ).scalars()
    stale = []
    for name in names:
        pid = name.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            stale.append(name)
    return stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _snapshot_seed_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(url)
    seeds: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table == "alembic_version":
                continue
            rows = [dict(r._mapping) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
            if rows:
                seeds[table] = rows
    engine.dispose()
    return seeds


def _empty_postgres(url: str, seeds: dict[str, list[dict[str, Any]]]) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        for table, rows in seeds.items():
            columns = list(rows[0])
            names = ", ".join(f'"{c}"' for c in columns)
            values = ", ".join(f":{c}" for c in columns)
            conn.execute(text(f'INSERT INTO "{table}" ({names}) VALUES ({values})'), rows)
    engine.dispose()


@pytest.fixture
def database_url(migrated_template: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for this test alone."""
    if BACKEND == "sqlite":
        path = tmp_path / "countermark.db"
        shutil.copyfile(migrated_template["path"], path)
        yield f"sqlite:///{path}"
        return
    yield migrated_template["url"]
    _empty_postgres(migrated_template["url"], migrated_template["seeds"])


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for this test: its own data folder and database."""
    # Images are prepared in a thread here; test_images.py also runs the process pool.
    return TestSettings(data_dir=tmp_path / "data", database_url=database_url, image_workers=0)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """A `Database` on the test's database, for arranging data and checking effects."""
    db = Database(settings.database_url, pool_size=2)
    yield db
    db.dispose()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The application under test."""
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client talking to the app in-process (lifespan run)."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


KeyFactory = Callable[..., dict[str, str]]


@pytest.fixture
def make_key(database: Database) -> KeyFactory:
    """Issue a key straight in the database; return its Authorization header."""

    def issue(
        role: str,
        *,
        rights_holder_id: str | None = None,
        name: str = "test",
        client_of: dict[str, str] | None = None,
    ) -> dict[str, str]:
        with database.session() as session:
            joined = None
            if client_of is not None:
                owner = resolve_key(session, token=client_of["Authorization"].split()[1])
                joined = owner.key_id if owner else None
            _, token = create_key(
                session,
                actor=CLI_ACTOR,
                role=role,
                name=name,
                rights_holder_id=rights_holder_id,
                client_of=joined,
            )
        return {"Authorization": f"Bearer {token}"}

    return issue


@pytest.fixture
def admin_headers(make_key: KeyFactory) -> dict[str, str]:
    """Authorization headers of an admin key."""
    return make_key("admin", name="operator")


HolderFactory = Callable[..., tuple[str, dict[str, str]]]


@pytest.fixture
def make_holder(database: Database, make_key: KeyFactory) -> HolderFactory:
    """Create a rights holder and a key bound to it; return (holder id, its headers)."""

    def create(name: str = "Holder") -> tuple[str, dict[str, str]]:
        with database.session() as session:
            holder = create_rights_holder(session, actor=CLI_ACTOR, name=name)
            holder_id = holder.id
        return holder_id, make_key("rights_holder", rights_holder_id=holder_id, name=name)

    return create
