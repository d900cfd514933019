"""The catalogue version counter and the hash-chained audit log.

Every catalogue change calls `begin_change` (locks and bumps the single version row,
so concurrent writers queue here: `FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on
SQLite) and then `append_event`. Other changes worth auditing (keys, settings) call
`append_event` alone, which takes the same lock so the chain never forks.

An event's hash is SHA-256 over the previous event's hash and the canonical JSON
of its own fields; `verify_chain` recomputes every link and reports the first break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from catalog.models import AuditEvent, CatalogVersion, utcnow

GENESIS_HASH = "0" * 64


# The encoder `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
# would build on every call (the same text; an import hashes one value per product).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the byte form that is hashed."""
    return _CANONICAL.encode(value)


def sha256_hex(data: str | bytes) -> str:
    """SHA-256 of `data` (text is UTF-8 encoded) as lowercase hex."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def _utc_iso(value: datetime) -> str:
    # SQLite hands back naive datetimes, PostgreSQL aware ones in the session zone.
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def event_hash(event: AuditEvent) -> str:
    """The hash an event must carry, given its fields and `prev_hash`."""
    body = {
        "at": _utc_iso(event.at),
        "actor": event.actor,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "catalog_version": event.catalog_version,
        "engine_version": event.engine_version,
        "change_sha256": event.change_sha256,
    }
    return sha256_hex(event.prev_hash + canonical_json(body))


def lock_version(session: Session) -> int:
    """Take the catalogue lock for this transaction and return the current version."""
    stmt = select(CatalogVersion.version).where(col(CatalogVersion.id) == 1).with_for_update()
    version = session.exec(stmt).one_or_none()
    if version is None:  # a database created without the migration's seed row
        session.add(CatalogVersion(id=1, version=0))
        session.flush()
        version = 0
    return int(version)


def current_version(session: Session) -> int:
    """The catalogue version, without locking."""
    stmt = select(CatalogVersion.version).where(col(CatalogVersion.id) == 1)
    return int(session.exec(stmt).one_or_none() or 0)


def begin_change(session: Session) -> int:
    """Lock the catalogue, bump its version and return the new version for this change."""
    version = lock_version(session) + 1
    session.execute(
        update(CatalogVersion)
        .where(col(CatalogVersion.id) == 1)
        .values(version=version, updated_at=utcnow())
    )
    # On PostgreSQL a trigger on catalog_version (migration 0002) NOTIFYs the workers.
    return version


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    change: Mapping[str, Any] | None = None,
    catalog_version: int | None = None,
    engine_version: str | None = None,
) -> AuditEvent:
    """Append one event to the chain (in the caller's transaction) and return it."""
    lock_version(session)
    last = session.exec(
        select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    ).one_or_none()
    payload = dict(change or {})
    event = AuditEvent(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        catalog_version=catalog_version,
        engine_version=engine_version,
        change=payload,
        change_sha256=sha256_hex(canonical_json(payload)),
        prev_hash=last or GENESIS_HASH,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    """The outcome of `verify_chain`: `broken_id` is the first bad event, if any."""

    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every event's change hash, own hash and link; stop at the first break."""
    previous = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        stmt = (
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch)
        )
        rows = session.exec(stmt).all()
        if not rows:
            return ChainReport(ok=True, checked=checked)
        for event in rows:
            assert event.id is not None
            reason = _check(event, previous)
            if reason:
                return ChainReport(ok=False, checked=checked, broken_id=event.id, reason=reason)
            previous = event.hash
            last_id = event.id
            checked += 1


def _check(event: AuditEvent, previous: str) -> str:
    if event.prev_hash != previous:
        return "prev_hash does not match the previous event (a row was removed or reordered)"
    if sha256_hex(canonical_json(event.change)) != event.change_sha256:
        return "the recorded change does not match its SHA-256"
    if event_hash(event) != event.hash:
        return "the event's fields do not match its hash"
    return ""
