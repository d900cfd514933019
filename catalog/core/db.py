"""Engine and sessions for SQLite (embedded) and PostgreSQL (production).

SQLite runs in WAL mode with a busy timeout and foreign keys on. A write session
starts its transaction with `BEGIN IMMEDIATE`, so concurrent writers queue on the
database lock instead of failing half-way with "database is locked"; read sessions
use a plain deferred `BEGIN` and never block writers. PostgreSQL uses psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from catalog.core.settings import Settings, normalize_database_url

_BEGIN_OPTION = "countermark_sqlite_begin"


class Database:
    """An engine plus session factories: `session(write=...)` is one transaction."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        busy_timeout_ms: int = 30_000,
        pool_timeout: float = 30.0,
    ) -> None:
        url = normalize_database_url(url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(
                url, busy_timeout_ms=busy_timeout_ms, pool_timeout=pool_timeout
            )
            self.write_engine: Engine = self.engine.execution_options(
                **{_BEGIN_OPTION: "IMMEDIATE"}
            )
        else:
            self.engine = create_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                pool_timeout=pool_timeout,
            )
            self.write_engine = self.engine

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        bind = self.write_engine if write else self.engine
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def create_database(settings: Settings) -> Database:
    """Build the `Database` the settings describe (making the SQLite folder if needed)."""
    if settings.is_sqlite:
        database = make_url(settings.database_url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    return Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_timeout=settings.db_pool_timeout_seconds,
    )


def _sqlite_engine(url: str, *, busy_timeout_ms: int, pool_timeout: float) -> Engine:
    # An in-memory database gets a singleton pool, which takes no timeout.
    in_memory = make_url(url).database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        **({} if in_memory else {"pool_timeout": pool_timeout}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN can be chosen below.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
