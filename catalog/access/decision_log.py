"""The decision log: every stored screening and outcome, hash-chained in one strict order.

Choice: a hash chain with a per-append lock, not a Merkle log. Each entry holds its
position `seq`, the record it logs (kind and id), the SHA-256 `digest` of the record's
canonical JSON (every non-null column: request, result, versions, times), the previous
entry's hash and its own: SHA-256 over `prev_hash` and the entry's canonical fields.
Positions come from the single `decision_log_head` row, which every append locks
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the write transaction's `BEGIN
IMMEDIATE` already serialises writers), so two workers or replicas appending at once
queue for the head and the chain never forks. The group-commit writer appends a whole
batch under one lock taken at the end of its transaction (digests are computed before
it), so the lock costs one row read and one row update per batch, held only through the
commit. A Merkle log with background tree heads would avoid even that, but it leaves
fresh decisions outside the log until the next head and needs a proof per record; a
chain covers a decision from the moment its transaction commits.

`verify_log` recomputes every digest and link in order and names the first bad entry:
an edited record (digest), a deleted record (missing), a deleted, inserted or reordered
entry (position or link), entries cut from the end (head), or a record never logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, exists, insert, select, update
from sqlmodel import col

from catalog.access.audit import GENESIS_HASH, canonical_json, sha256_hex
from catalog.models import (
    DecisionLogEntry,
    DecisionLogHead,
    Redaction,
    Screening,
    ScreeningOutcome,
    table_of,
    utcnow,
)

ENTRY = table_of(DecisionLogEntry)
HEAD = table_of(DecisionLogHead)
LOGGED: dict[str, Table] = {
    "screening": table_of(Screening),
    "outcome": table_of(ScreeningOutcome),
    "redaction": table_of(Redaction),  # retention purges (catalog/access/retention.py)
}
KIND_OF_TABLE = {table.name: kind for kind, table in LOGGED.items()}

Record = tuple[str, Mapping[str, Any]]  # (kind, the record's column values)


def _utc(value: datetime) -> str:
    # SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones.
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def _canonical(row: Mapping[str, Any]) -> bytes:
    # orjson: sorted keys, dates and aware datetimes as ISO 8601, ~8x faster than json here.
    body = {k: v for k, v in row.items() if v is not None}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC)


def plain_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A record's non-null columns in their JSON form: what its digest is computed over.

    Null columns are left out, so a nullable column added later does not change the
    digest of the records stored before it.
    """
    value: dict[str, Any] = orjson.loads(_canonical(row))
    return value


def record_digest(kind: str, row: Mapping[str, Any]) -> str:
    """SHA-256 of a record's kind and canonical JSON."""
    return sha256_hex(kind.encode("utf-8") + b"\n" + _canonical(row))


def entry_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an entry's hash covers, in their JSON form."""
    logged_at = entry["logged_at"]
    return {
        "seq": int(entry["seq"]),
        "kind": entry["kind"],
        "record_id": entry["record_id"],
        "digest": entry["digest"],
        "logged_at": logged_at if isinstance(logged_at, str) else _utc(logged_at),
    }


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash an entry must carry, given the previous entry's hash."""
    return sha256_hex(prev_hash + canonical_json(entry_fields(entry)))


def records_of(tables_rows: Mapping[Table, Sequence[Mapping[str, Any]]]) -> list[Record]:
    """The loggable records among rows about to be inserted, by table."""
    return [
        (KIND_OF_TABLE[table.name], row)
        for table, rows in tables_rows.items()
        if table.name in KIND_OF_TABLE
        for row in rows
    ]


def append(conn: Connection, records: Sequence[Record]) -> list[dict[str, Any]]:
    """Chain records onto the log in the caller's transaction (takes the head lock)."""
    if not records:
        return []
    digests = [(kind, str(row["id"]), record_digest(kind, row)) for kind, row in records]
    size, previous = conn.execute(
        select(col(DecisionLogHead.size), col(DecisionLogHead.hash))
        .where(col(DecisionLogHead.id) == 1)
        .with_for_update()
    ).one()
    now = utcnow()
    stamp = _utc(now)
    entries: list[dict[str, Any]] = []
    for offset, (kind, record_id, digest) in enumerate(digests, start=1):
        fields = {"seq": size + offset, "kind": kind, "record_id": record_id, "digest": digest}
        link = previous
        previous = entry_hash(link, fields | {"logged_at": stamp})
        entries.append(fields | {"logged_at": now, "prev_hash": link, "hash": previous})
    conn.execute(insert(ENTRY), entries)
    conn.execute(
        update(HEAD)
        .where(col(DecisionLogHead.id) == 1)
        .values(size=size + len(entries), hash=previous)
    )
    return entries


def record_row(table: Table, obj: Any) -> dict[str, Any]:
    """An ORM object's column values, as `append` takes them."""
    return {column.name: getattr(obj, column.name) for column in table.columns}


def head(conn: Connection) -> tuple[int, str]:
    """The log's current size and last hash."""
    size, last = conn.execute(
        select(col(DecisionLogHead.size), col(DecisionLogHead.hash)).where(
            col(DecisionLogHead.id) == 1
        )
    ).one()
    return int(size), str(last)


def entry_at(conn: Connection, seq: int) -> dict[str, Any] | None:
    """The entry at position `seq`, if any."""
    row = conn.execute(select(ENTRY).where(col(DecisionLogEntry.seq) == seq)).first()
    return dict(row._mapping) if row is not None else None


def entry_for(conn: Connection, *, kind: str, record_id: str) -> dict[str, Any] | None:
    """The entry that logs a record, if any."""
    row = conn.execute(
        select(ENTRY).where(
            col(DecisionLogEntry.record_id) == record_id, col(DecisionLogEntry.kind) == kind
        )
    ).first()
    return dict(row._mapping) if row is not None else None


@dataclass(frozen=True)
class LogReport:
    """The outcome of `verify_log`: where the first bad entry or record is, and why."""

    ok: bool
    checked: int
    seq: int | None = None
    kind: str | None = None
    record_id: str | None = None
    reason: str = ""


def verify_log(conn: Connection, *, batch: int = 2000) -> LogReport:
    """Recompute every entry's digest and link in order; stop at the first bad one."""
    previous, checked = GENESIS_HASH, 0
    while True:
        rows = conn.execute(
            select(ENTRY)
            .where(col(DecisionLogEntry.seq) > checked)
            .order_by(col(DecisionLogEntry.seq))
            .limit(batch)
        ).all()
        if not rows:
            break
        entries = [dict(r._mapping) for r in rows]
        stored = _records(conn, entries)
        redacted = redacted_digests(conn, entries)
        for entry in entries:
            reason = _check(entry, previous, checked + 1, stored, redacted)
            if reason:
                return LogReport(
                    False, checked, entry["seq"], entry["kind"], entry["record_id"], reason
                )
            previous, checked = entry["hash"], entry["seq"]
    size, last = head(conn)
    if (size, last) != (checked, previous):
        reason = f"the log head records {size} entries, the log holds {checked} intact"
        return LogReport(False, checked, checked + 1, None, None, reason + " (entries removed)")
    return _unlogged(conn, checked)


def _records(conn: Connection, entries: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], Any] = {}
    for kind, table in LOGGED.items():
        ids = [e["record_id"] for e in entries if e["kind"] == kind]
        if ids:
            for row in conn.execute(select(table).where(table.c.id.in_(ids))):
                out[(kind, row._mapping["id"])] = dict(row._mapping)
    return out


def _check(
    entry: dict[str, Any],
    previous: str,
    seq: int,
    stored: dict[Any, Any],
    redacted: Mapping[tuple[str, str], tuple[str, str]],
) -> str:
    kind = entry["kind"]
    if entry["seq"] != seq:
        return f"position {seq} is missing (an entry was removed or moved)"
    if entry["prev_hash"] != previous:
        return "does not link to the entry before it (entries were removed or reordered)"
    if entry_hash(previous, entry) != entry["hash"]:
        return "the entry's fields do not match its hash"
    row = stored.get((kind, entry["record_id"]))
    if row is None:
        return f"the {kind} it logs is missing (deleted)"
    digest = record_digest(kind, row)
    if digest != entry["digest"] and not purged_as_logged(entry, digest, redacted):
        return f"the stored {kind} does not match its logged digest (edited)"
    return ""


# --- Retention purges: a record whose personal data was removed past retention ---


def redacted_digests(
    conn: Connection, entries: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, record id) -> (digest before, digest after) of the entries' records' redactions."""
    ids = [e["record_id"] for e in entries if e["kind"] != "redaction"]
    if not ids:
        return {}
    rows = conn.execute(
        select(
            col(Redaction.kind),
            col(Redaction.record_id),
            col(Redaction.digest_before),
            col(Redaction.digest_after),
        ).where(col(Redaction.record_id).in_(ids))
    )
    return {(kind, rid): (before, after) for kind, rid, before, after in rows}


def purged_as_logged(
    entry: Mapping[str, Any], digest: str, redacted: Mapping[tuple[str, str], tuple[str, str]]
) -> bool:
    """Whether a record's changed digest is exactly a logged purge of the logged record.

    The redaction row is itself an entry of the log (checked at its own position), so
    editing the record after the purge, or the redaction, is still caught.
    """
    link = redacted.get((entry["kind"], entry["record_id"]))
    return link is not None and link == (entry["digest"], digest)


def _unlogged(conn: Connection, checked: int) -> LogReport:
    for kind, table in LOGGED.items():
        logged = exists().where(
            col(DecisionLogEntry.record_id) == table.c.id, col(DecisionLogEntry.kind) == kind
        )
        record_id = conn.execute(select(table.c.id).where(~logged).limit(1)).scalar()
        if record_id is not None:
            reason = f"the {kind} is stored but not in the log (inserted around it)"
            return LogReport(False, checked, None, kind, str(record_id), reason)
    return LogReport(True, checked)


def check_extends(conn: Connection, *, size: int, hash: str) -> str:
    """Why the log does not extend a head of `size` entries ending in `hash` ("" if it does)."""
    current, _ = head(conn)
    if size > current:
        return f"the head has {size} entries but the log only {current} (entries were removed)"
    at = entry_at(conn, size) if size else None
    recorded = at["hash"] if at is not None else (GENESIS_HASH if size == 0 else None)
    if recorded != hash:
        return f"entry {size} no longer has the head's hash (history was rewritten)"
    report = verify_log(conn)
    if not report.ok:
        return f"the log is broken at entry {report.seq}: {report.reason}"
    return ""
