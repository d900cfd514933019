"""One unit of work of a command in one database session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from api.cli.database import fail, open_database
from catalog.core.errors import DomainError

T = TypeVar("T")


def in_session(work: Callable[[Session], T], *, write: bool = True) -> T:
    """Run `work` in one session of the command's database (committed when it returns);
    a domain error exits 1 with its detail."""
    _, database = open_database()
    try:
        with database.session(write=write) as session:
            return work(session)
    except DomainError as exc:
        raise fail(exc.detail) from exc
    finally:
        database.dispose()
