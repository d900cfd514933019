"""Retention: `countermark purge --older-than DAYS` removes personal data past retention.

What is personal (and removed from records older than DAYS):
- screening: the declared importer, exporter and consignee (pseudonyms are still
  personal data: they single a person out), and in rows stored before
  pseudonymisation any clear party name in the stored result's sentences;
- screening outcome: the officer's free-text note (it may name or describe people);
- officer check: the text read off the item (labels carry names and addresses) and
  the photo (it may show people or labels); its blob is deleted once no row names it.
  A photo an officer offered to a rights holder stays while the proposal names it
  (the holder's decision, and an accepted photo is a catalogue reference image).

What stays: ids, times, versions, risk, verdict, lane, matches, the signals' names and
sentences (they name no party), the hashes of declared goods photos, who recorded an
outcome (a key id, for accountability) and the outcome itself.

Screenings and outcomes are in the decision log, whose entries hold digests of the
records. A purge therefore writes one `Redaction` per record (the digest before, which
must be the logged one, and the digest after) and appends it to the log in the same
transaction; `countermark audit verify` accepts a changed record only through such a
link, so an edit after the purge is still caught. A record whose digest no longer
matches its log entry is not purged (that would launder the edit): it is reported.
The purge as a whole is one audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, exists, insert, select, update
from sqlmodel import Session, col

from catalog.access import audit, decision_log
from catalog.core.blobs import BlobStore
from catalog.core.ids import new_id
from catalog.models import (
    OfficerCheck,
    ProposedReference,
    Redaction,
    ReferenceImage,
    Screening,
    ScreeningOutcome,
    table_of,
    utcnow,
)

WITHHELD = "[withheld]"
PARTIES = ("importer", "exporter", "consignee")
REDACTION = table_of(Redaction)
BATCH = 500


@dataclass
class PurgeReport:
    """What a purge changed: records redacted by kind, photo blobs deleted, records refused."""

    cutoff: datetime
    redacted: dict[str, int] = field(default_factory=dict)
    blobs_deleted: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (kind, id): digest mismatch


Redactor = Callable[[Mapping[str, Any]], tuple[dict[str, Any], list[str]]]


def _scrub(value: Any, names: Sequence[str]) -> Any:
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, WITHHELD)
        return value
    if isinstance(value, list):
        return [_scrub(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, names) for k, v in value.items()}
    return value


def _screening(row: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    request = dict(row["request"])
    removed = [f"request.{p}" for p in PARTIES if request.get(p)]
    # Rows stored before pseudonymisation hold clear names, which older sentences quote.
    clear = [
        str(request[p]) for p in ("importer", "exporter") if request.get(p)
        if not str(request[p]).startswith("hmac-sha256:")
    ]  # fmt: skip
    changes: dict[str, Any] = {}
    if removed:
        changes["request"] = request | {p: None for p in PARTIES if p in request}
    result = _scrub(row["result"], sorted(clear, key=len, reverse=True)) if clear else None
    if result is not None and result != row["result"]:
        changes["result"] = result
        removed.append("result (party names in sentences)")
    return changes, removed


def _outcome(row: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    return ({"note": None}, ["note"]) if row["note"] else ({}, [])


def _check(row: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    changes: dict[str, Any] = {}
    if row["text"]:
        changes["text"] = None
    if row["photo_sha256"]:
        changes |= {"photo_sha256": None, "photo_width": None, "photo_height": None}
    return changes, [k for k in ("text", "photo_sha256") if k in changes]


# kind -> (table, whether the decision log holds it, what to remove)
PURGED: dict[str, tuple[Table, bool, Redactor]] = {
    "screening": (table_of(Screening), True, _screening),
    "outcome": (table_of(ScreeningOutcome), True, _outcome),
    "check": (table_of(OfficerCheck), False, _check),
}


def purge(
    session: Session,
    *,
    older_than_days: int,
    actor: str,
    blobs: BlobStore,
    now: datetime | None = None,
    batch: int = BATCH,
) -> PurgeReport:
    """Remove personal data from records created before now - `older_than_days` (commits)."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    report = PurgeReport(cutoff=cutoff)
    photos: set[str] = set()
    for kind, (table, logged, redactor) in PURGED.items():
        done: set[str] = set()
        while True:
            conn = session.connection()
            rows = _due(conn, kind, table, cutoff, batch, exclude=done)
            if not rows:
                break
            for row in rows:
                done.add(str(row["id"]))
                if row.get("photo_sha256"):
                    photos.add(str(row["photo_sha256"]))
                done_as = _redact(conn, kind, table, row, logged, redactor, actor, cutoff)
                if done_as == "redacted":
                    report.redacted[kind] = report.redacted.get(kind, 0) + 1
                elif done_as == "refused":
                    report.refused.append((kind, str(row["id"])))
            session.commit()
    audit.append_event(
        session,
        actor=actor,
        action="retention.purge",
        entity_type="retention",
        change={
            "cutoff": cutoff.isoformat(),
            "older_than_days": older_than_days,
            "redacted": report.redacted,
            "refused": [f"{k}:{i}" for k, i in report.refused],
        },
    )
    session.commit()
    report.blobs_deleted = _delete_unnamed(session, blobs, photos)
    return report


def _due(
    conn: Connection, kind: str, table: Table, cutoff: datetime, batch: int, *, exclude: set[str]
) -> list[dict[str, Any]]:
    purged = exists().where(col(Redaction.kind) == kind, col(Redaction.record_id) == table.c.id)
    stmt = select(table).where(table.c.created_at < cutoff, ~purged).order_by(table.c.id)
    rows = [dict(r._mapping) for r in conn.execute(stmt.limit(batch + len(exclude)))]
    return [r for r in rows if str(r["id"]) not in exclude][:batch]


def _redact(
    conn: Connection,
    kind: str,
    table: Table,
    row: dict[str, Any],
    logged: bool,
    redactor: Redactor,
    actor: str,
    cutoff: datetime,
) -> str:
    changes, removed = redactor(row)
    if not changes:
        return "nothing"  # no personal data: no redaction needed
    record_id = str(row["id"])

    def digest(current: dict[str, Any]) -> str:
        # a logged record is digested under its entry's scheme (scheme 2: the stored JSON
        # text and, for a screening, its hits), anything else by its columns
        if entry is None:
            return decision_log.record_digest(kind, current)
        return decision_log.current_digest(
            conn, kind=kind, record_id=record_id, scheme=entry["scheme"]
        )

    entry = decision_log.entry_for(conn, kind=kind, record_id=record_id) if logged else None
    if logged and entry is None:
        return "refused"  # never logged: purging it would hide that
    before = digest(row)
    if entry is not None and entry["digest"] != before:
        return "refused"  # edited after it was logged: purging it would hide that
    conn.execute(update(table).where(table.c.id == row["id"]).values(**changes))
    after_row = dict(conn.execute(select(table).where(table.c.id == row["id"])).one()._mapping)
    redaction = {
        "id": new_id(),
        "kind": kind,
        "record_id": record_id,
        "fields": removed,
        "digest_before": before,
        "digest_after": digest(after_row),
        "reason": f"retention: created before {cutoff.date().isoformat()}",
        "actor": actor,
        "created_at": utcnow(),
    }
    conn.execute(insert(REDACTION), [redaction])
    decision_log.append(conn, [("redaction", redaction)])
    return "redacted"


def _delete_unnamed(session: Session, blobs: BlobStore, photos: set[str]) -> int:
    """Delete the purged photos' blobs that no row names any more."""
    conn = session.connection()
    naming = [
        table_of(ReferenceImage).c.sha256,
        table_of(OfficerCheck).c.photo_sha256,
        table_of(ProposedReference).c.photo_sha256,
    ]
    deleted = 0
    for sha256 in sorted(photos):
        named = any(
            conn.execute(select(column).where(column == sha256).limit(1)).first() is not None
            for column in naming
        )
        if not named and blobs.exists(sha256):
            blobs.path(sha256).unlink(missing_ok=True)
            deleted += 1
    session.commit()
    return deleted
