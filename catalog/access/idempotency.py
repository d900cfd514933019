"""Idempotency records: claim a key before doing the work, store the response after.

A claim is committed on its own before the request runs, so a second request with
the same key (even on another worker) finds it: replayed if done, 409 while still
running, 422 if it carries another body. A claim left by a crashed worker goes
stale after `stale_after` and may be taken over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog.core.db import Database
from catalog.models import IdempotencyRecord, utcnow

ClaimState = Literal["new", "replay", "mismatch", "in_progress"]


@dataclass(frozen=True, slots=True)
class Claim:
    """What to do with a request carrying an Idempotency-Key."""

    state: ClaimState
    status_code: int | None = None
    content_type: str | None = None
    body: bytes | None = None


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _examine(
    session: Session, *, scope: str, key: str, request_hash: str, stale_after: timedelta
) -> Claim | None:
    record = session.exec(
        select(IdempotencyRecord)
        .where(col(IdempotencyRecord.scope) == scope, col(IdempotencyRecord.key) == key)
        .with_for_update()
    ).one_or_none()
    if record is None:
        session.add(IdempotencyRecord(scope=scope, key=key, request_hash=request_hash))
        session.flush()
        return Claim("new")
    if record.request_hash != request_hash:
        return Claim("mismatch")
    if record.status_code is not None:
        return Claim("replay", record.status_code, record.content_type, record.body)
    if _aware(record.created_at) < utcnow() - stale_after:
        record.created_at = utcnow()
        session.add(record)
        return Claim("new")
    return Claim("in_progress")


def claim(
    database: Database,
    *,
    scope: str,
    key: str,
    request_hash: str,
    stale_after: timedelta = timedelta(minutes=5),
) -> Claim:
    """Claim `key` for this request in a transaction of its own, or say why not."""
    try:
        with database.session(write=True) as session:
            found = _examine(
                session, scope=scope, key=key, request_hash=request_hash, stale_after=stale_after
            )
    except IntegrityError:
        # Another worker inserted the same claim between our read and our insert.
        return Claim("in_progress")
    assert found is not None
    return found


def complete(
    database: Database, *, scope: str, key: str, status_code: int, content_type: str, body: bytes
) -> None:
    """Store the response of a claimed request so that retries replay it."""
    with database.session(write=True) as session:
        record = session.get(IdempotencyRecord, (scope, key))
        if record is None:
            return
        record.status_code = status_code
        record.content_type = content_type
        record.body = body
        session.add(record)


def release(database: Database, *, scope: str, key: str) -> None:
    """Drop a claim whose request failed, so a retry runs it afresh."""
    with database.session(write=True) as session:
        session.execute(
            delete(IdempotencyRecord).where(
                col(IdempotencyRecord.scope) == scope,
                col(IdempotencyRecord.key) == key,
            )
        )


def purge(database: Database, *, older_than: timedelta) -> int:
    """Delete records older than `older_than`; return how many."""
    with database.session(write=True) as session:
        result = session.execute(
            delete(IdempotencyRecord).where(
                col(IdempotencyRecord.created_at) < utcnow() - older_than
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
