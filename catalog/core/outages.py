"""Which failures mean "the database cannot answer now, retry later" rather than a bug.

An unreachable or dropped server, a connection closed under us, a file SQLite cannot
open, a lock not granted within the busy timeout, or no pooled connection free within
the pool timeout: the request itself was fine, so the client is told 503 with
Retry-After instead of 500.
"""

from __future__ import annotations

import sqlite3
import sys

from sqlalchemy import exc as sa_exc

_OUTAGE_TYPES: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,  # refused, dropped, "unable to open database file", "locked"
    sa_exc.InterfaceError,  # the driver's connection object is closed
    sa_exc.TimeoutError,  # QueuePool: no connection free within pool_timeout
    sqlite3.OperationalError,
)


def _outage_types() -> tuple[type[BaseException], ...]:
    # psycopg's own OperationalError (raw psycopg use: the LISTEN connection) only once psycopg
    # is imported: no error of it exists before, and a SQLite service never imports it (~0.1 s).
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return _OUTAGE_TYPES
    operational: type[BaseException] = psycopg.OperationalError
    return (*_OUTAGE_TYPES, operational)


def is_database_outage(exc: BaseException) -> bool:
    """True when `exc` (or the error it was raised from) says the database is unreachable."""
    seen: set[int] = set()
    types = _outage_types()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, types):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__  # `raise ... from`, never an unrelated error's context
    return False
