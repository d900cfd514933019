"""A cheap "has anything been committed since?" for a SQLite catalogue: `PRAGMA data_version`.

A worker checks the catalogue's versions every `check_interval` (50 ms by default). Through
SQLAlchemy that read costs a pooled connection, a statement and a transaction on the event loop
every time, although the catalogue is still almost always. SQLite counts commits made to the
database file by any other connection in `PRAGMA data_version` (a read of the connection's own
state: a few microseconds, no transaction); this probe holds its own read-only connection that
never writes, so the number moves exactly when someone else committed, and only then does the
worker read the versions (in a thread). PostgreSQL has LISTEN/NOTIFY instead (change_listener).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import Engine

log = logging.getLogger(__name__)


class DataVersionProbe:
    """`changed()` says whether anything was committed to the SQLite file since the last call."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self._seen = self._read()

    @classmethod
    def for_engine(cls, engine: Engine) -> DataVersionProbe | None:
        """A probe of the engine's SQLite file, or None (another database, or in memory)."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        path = Path(database)
        if not path.is_file():
            return None
        try:
            return cls(path)
        except sqlite3.Error as exc:
            log.warning("no data_version probe for %s: %s", path, exc)
            return None

    def _read(self) -> int:
        with self._lock:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def mark(self) -> None:
        """Take the current state as seen (call before reading what it covers)."""
        self._seen = self._read()

    def changed(self) -> bool:
        """Whether another connection committed since `mark()` or the last `changed()`.

        An error (the file replaced, say) answers True: the caller then reads the versions.
        """
        try:
            now = self._read()
        except sqlite3.Error:
            return True
        if now == self._seen:
            return False
        self._seen = now
        return True

    def close(self) -> None:
        with self._lock:
            self._conn.close()
