"""The decision log: every stored screening and outcome, hash-chained in one strict order.

A hash chain of entries with a per-append lock. Each entry holds its position `seq`,
what it logs, a `digest`, the previous entry's hash and its own: SHA-256 over
`prev_hash` and the entry's canonical fields. Positions come from the single
`decision_log_head` row, which every append locks (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite the write transaction already serialises writers), so two
workers or replicas appending at once queue for the head and the chain never forks.

Two kinds of entry:

- A single entry logs one record (kind and id) and its digest: outcomes, retention
  redactions, adopted records, and every screening logged before batch entries.
- A batch entry (scheme 3, kind "batch") logs one group commit of the writer: its
  `digest` is the RFC 6962 Merkle root of the batch's leaves, one per screening
  ("kind id digest", leaf hash SHA-256(0x00 || leaf), node hash SHA-256(0x01 || left
  || right)), `leaf_count` their number and `leaves` the leaves themselves, in order.
  Each screening row keeps its place (`log_batch`: the entry's `record_id`;
  `log_leaf`: its index), written in the same insert, outside its digest.

Why batches. Profiled on SQLite (bench/writer_throughput.py), the log cost the writer
about 20 us of CPU per screening: the scheme-2 digest (~10-14 us), an entry hash
(~4 us), a bound entry row (~2 us) and an indexed insert (~3.5 us). The digest is
what proves the record and stays (made ~20% cheaper); the rest was per screening
only because the chain was. A batch entry costs one hash, one row and one index
entry per group commit, plus two short SHA-256 per screening for the tree. The
chain still covers a decision from the moment its transaction commits (no
background tree heads, no window outside the log), a signed head is still "the first
`size` entries end in `hash`", and the Merkle tree gives one screening a proof of a
few hashes (its audit path) without revealing the others of its batch. Keeping the
leaves in the entry (rather than finding each record by its position) lets `verify`
walk the log without any per-record index and name the first bad record inside a
batch.

`verify_log` recomputes every digest, root and link in order and names the first bad
record (and, inside a batch, its leaf): an edited record (digest), a deleted record
(missing), leaves edited, removed or reordered (root, count), a record's place edited
(position), a deleted, inserted or reordered entry (position or link), entries cut
from the end (head), or a record never logged, including a copy claiming a place.

Digest schemes (of a record; scheme 3 marks a batch entry whose leaves are scheme 2).
The first (`scheme` null) hashes the record's parsed columns as
canonical JSON, which cost the writer a second serialisation of every result. Entries
written now use scheme 2 (`SCHEME_STORED`): the non-JSON columns as canonical JSON,
then each JSON column's stored text exactly as it sits in the database (the text the
writer serialised once for the column, `catalog/core/bulk.py`), then, for a
screening, its hit rows (the alerts rights holders get) as canonical JSON by rank. An
edited result, request, threshold or hit row, even a reformatting of the stored JSON,
no longer matches. An outcome has no JSON column and no hits, so both schemes give it
the same digest. Digests are computed in the request's thread from the bytes being
stored, outside the writer and its head lock; the lock covers only the links.

Screenings stored before the log existed are brought in by `adopt` (`countermark
audit adopt`): appended in storage order with `origin` "adopted" and the time of
adoption as `logged_at`, so the log says they were logged late, not when.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, Text, cast, exists, func, insert, select, update
from sqlmodel import col

from catalog.access.audit import GENESIS_HASH, sha256_hex
from catalog.core.bulk import BulkInsert, json_columns
from catalog.models import (
    DecisionLogEntry,
    DecisionLogHead,
    Redaction,
    Screening,
    ScreeningHit,
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
HIT = table_of(ScreeningHit)
SCHEME_STORED = 2
SCHEME_BATCH = 3  # one entry per group commit: the Merkle root of its records' digests
BATCH = "batch"  # the `kind` of a batch entry
# A record's place in a batch entry (the entry's record_id, the leaf's index): written
# as it is logged, so never part of its digest; only screenings are logged in batches.
POSITION = ("log_batch", "log_leaf")
ADOPTED = "adopted"
_CANON = orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC

Record = tuple[str, Mapping[str, Any]]  # (kind, the record's column values)
Digest = tuple[str, str, str]  # (kind, record id, scheme-2 digest)


def _utc(value: datetime) -> str:
    # SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones.
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def _canonical(row: Mapping[str, Any]) -> bytes:
    # orjson: sorted keys, dates and aware datetimes as ISO 8601, ~8x faster than json here.
    body = {k: v for k, v in row.items() if v is not None and k not in POSITION}
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


def _hit_json(hit: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hit.items() if k != "id" and v is not None}


def stored_digest(
    kind: str,
    row: Mapping[str, Any],
    *,
    json_names: Sequence[str],
    hits: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """Scheme-2 digest: scalar columns, each JSON column's stored text, the hits by rank.

    `row` holds the JSON columns (`json_names`) as their stored text; `hits` (a
    screening's `screening_hit` rows, their autoincrement id ignored) is None for a
    record without hits (an outcome), which then digests as under the first scheme.
    """
    skip, prefixes = _layout(tuple(json_names))
    scalars = {k: v for k, v in row.items() if k not in skip and v is not None}
    parts = [kind.encode("utf-8"), orjson.dumps(scalars, option=_CANON)]
    for name, prefix in prefixes:
        text = row.get(name)
        if text is not None:
            parts.append(prefix + text.encode("utf-8"))
    if hits is not None:
        ordered = [_hit_json(h) for h in hits]
        if len(ordered) > 1:
            ordered.sort(key=_HIT_ORDER)
        parts.append(b"hits=" + orjson.dumps(ordered, option=_CANON))
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


_HIT_ORDER = operator.itemgetter("rank", "product_id")


@functools.cache
def _layout(json_names: tuple[str, ...]) -> tuple[frozenset[str], tuple[tuple[str, bytes], ...]]:
    # What a scheme-2 digest leaves out of the scalars, and the JSON columns' prefixes in order.
    skip = frozenset(json_names) | frozenset(POSITION)
    return skip, tuple((name, name.encode("utf-8") + b"=") for name in sorted(json_names))


def digests_of(tables_rows: Mapping[Table, Sequence[Mapping[str, Any]]]) -> list[Digest]:
    """Scheme-2 digests of the loggable rows about to be inserted, screenings with their hits.

    Each row's JSON columns must already be the `JsonText` that will be stored.
    """
    hits: dict[str, list[Mapping[str, Any]]] = {}
    for hit in tables_rows.get(HIT, ()):
        hits.setdefault(hit["screening_id"], []).append(hit)
    out: list[Digest] = []
    for table, rows in tables_rows.items():
        kind = KIND_OF_TABLE.get(table.name)
        if kind is None:
            continue
        names = json_columns(table)
        for row in rows:
            found = hits.get(row["id"], []) if kind == "screening" else None
            digest = stored_digest(kind, row, json_names=names, hits=found)
            out.append((kind, str(row["id"]), digest))
    return out


def entry_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an entry's hash covers, in their JSON form (scheme and origin when set)."""
    logged_at = entry["logged_at"]
    fields = {
        "seq": int(entry["seq"]),
        "kind": entry["kind"],
        "record_id": entry["record_id"],
        "digest": entry["digest"],
        "logged_at": logged_at if isinstance(logged_at, str) else _utc(logged_at),
    }
    if entry.get("scheme") is not None:
        fields["scheme"] = int(entry["scheme"])
    if entry.get("origin") is not None:
        fields["origin"] = entry["origin"]
    if entry.get("leaf_count") is not None:
        fields["leaf_count"] = int(entry["leaf_count"])
    return fields


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash an entry must carry, given the previous entry's hash.

    SHA-256 over the previous hash and the entry's fields as canonical JSON (sorted
    keys, no spaces); orjson writes the same bytes as `audit.canonical_json` for
    these plain strings and integers, ~10x faster.
    """
    return sha256_hex(prev_hash.encode("ascii") + orjson.dumps(entry_fields(entry), option=_CANON))


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
    return _chain(conn, digests, scheme=None, origin=None, bulk=None)


def append_digests(
    conn: Connection,
    digests: Sequence[Digest],
    *,
    origin: str | None = None,
    bulk: BulkInsert | None = None,
) -> list[dict[str, Any]]:
    """Chain scheme-2 digests computed beforehand (`screening_digests`); takes the head lock.

    `bulk` (an `entry_insert` for the connection's dialect) inserts the entries as
    plain tuples; without it they go through SQLAlchemy's Core insert.
    """
    if not digests:
        return []
    return _chain(conn, digests, scheme=SCHEME_STORED, origin=origin, bulk=bulk)


# --- Batch entries: a Merkle tree over a group commit's records (RFC 6962 / RFC 9162) ---


def leaf_line(kind: str, record_id: str, digest: str) -> str:
    """A leaf as a batch entry stores it: the record's kind, id and digest."""
    return f"{kind} {record_id} {digest}"


def leaf_hash(line: str) -> bytes:
    """RFC 6962 leaf hash: SHA-256 over 0x00 and the leaf (domain-separated from nodes)."""
    return hashlib.sha256(b"\x00" + line.encode("ascii")).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash of leaf hashes (at least one).

    Pairs are hashed level by level and an odd last node is carried up unpaired, which
    gives exactly RFC 6962's tree (split at the largest power of two below n).
    """
    level = list(hashes)
    if not level:
        raise ValueError("a Merkle tree needs at least one leaf")
    while len(level) > 1:
        paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def audit_path(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[n]): the sibling hashes from the leaf up to the root."""
    if len(hashes) <= 1:
        return []
    split = 1 << ((len(hashes) - 1).bit_length() - 1)  # the largest power of two below n
    if index < split:
        return [*audit_path(hashes[:split], index), merkle_root(hashes[split:])]
    return [*audit_path(hashes[split:], index - split), merkle_root(hashes[:split])]


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to (RFC 9162 2.1.3.2), or None if it is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, root = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            root = _node(sibling, root)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            root = _node(root, sibling)
        fn, sn = fn >> 1, sn >> 1
    return root if sn == 0 else None


def parse_leaves(text: str) -> list[tuple[str, str, str]]:
    """A batch entry's leaves: (kind, record id, digest) in order."""
    out: list[tuple[str, str, str]] = []
    for line in text.split("\n"):
        kind, record_id, digest = line.split(" ")
        out.append((kind, record_id, digest))
    return out


def append_batch(
    conn: Connection, digests: Sequence[Digest], *, batch_id: str, bulk: BulkInsert | None = None
) -> dict[str, Any] | None:
    """Log a group commit's records as one entry (scheme 3); takes the head lock.

    The entry's `digest` is the Merkle root of the records' leaves, in the order
    given (leaf i is the record stored with `log_leaf` i), `record_id` is `batch_id`
    (what the records' `log_batch` names) and its hash chains the previous head with
    the root, the leaf count and the entry's other fields.
    """
    if not digests:
        return None
    lines = [leaf_line(kind, record_id, digest) for kind, record_id, digest in digests]
    root = merkle_root([leaf_hash(line) for line in lines]).hex()
    size, previous = _lock_head(conn)
    now = utcnow()
    fields = {
        "seq": size + 1,
        "kind": BATCH,
        "record_id": batch_id,
        "digest": root,
        "scheme": SCHEME_BATCH,
        "origin": None,
        "leaf_count": len(lines),
    }
    link = previous
    previous = entry_hash(link, fields | {"logged_at": _utc(now)})
    entry = fields | {"logged_at": now, "prev_hash": link, "hash": previous}
    entry["leaves"] = "\n".join(lines)
    if bulk is not None:
        bulk.run(conn, [bulk.row(entry)])
    else:
        conn.execute(insert(ENTRY), [entry])
    _move_head(conn, size + 1, previous)
    return entry


def _lock_head(conn: Connection) -> tuple[int, str]:
    size, previous = conn.execute(
        select(col(DecisionLogHead.size), col(DecisionLogHead.hash))
        .where(col(DecisionLogHead.id) == 1)
        .with_for_update()
    ).one()
    return int(size), str(previous)


def _move_head(conn: Connection, size: int, last: str) -> None:
    conn.execute(update(HEAD).where(col(DecisionLogHead.id) == 1).values(size=size, hash=last))


def leaf_views(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The records an entry logs, each as a single entry would log it.

    A single entry is its own view; a batch entry gives one view per leaf, with its
    digest scheme (2), the entry's `seq` and the leaf's index.
    """
    if entry.get("scheme") != SCHEME_BATCH:
        return [dict(entry)]
    try:
        leaves = parse_leaves(entry.get("leaves") or "")
    except ValueError:  # not leaves at all: the entry's count and root say so
        return []
    return [
        {"seq": entry["seq"], "kind": kind, "record_id": record_id, "digest": digest,
         "scheme": SCHEME_STORED, "origin": None, "leaf": i}
        for i, (kind, record_id, digest) in enumerate(leaves)
    ]  # fmt: skip


def inclusion(entry: Mapping[str, Any], index: int) -> list[str]:
    """The audit path (hex) of leaf `index` in a batch entry."""
    hashes = [leaf_hash(leaf_line(*leaf)) for leaf in parse_leaves(entry["leaves"])]
    return [h.hex() for h in audit_path(hashes, index)]


def entry_insert(conn: Connection) -> BulkInsert:
    """The decision log's tuple insert for this connection's dialect."""
    return BulkInsert(ENTRY, conn.dialect)


def _chain(
    conn: Connection,
    digests: Sequence[Digest],
    *,
    scheme: int | None,
    origin: str | None,
    bulk: BulkInsert | None,
) -> list[dict[str, Any]]:
    size, previous = _lock_head(conn)
    now = utcnow()
    stamp = _utc(now)
    entries: list[dict[str, Any]] = []
    for offset, (kind, record_id, digest) in enumerate(digests, start=1):
        fields = {
            "seq": size + offset,
            "kind": kind,
            "record_id": record_id,
            "digest": digest,
            "scheme": scheme,
            "origin": origin,
            "leaf_count": None,
        }
        link = previous
        previous = entry_hash(link, fields | {"logged_at": stamp})
        entries.append(
            fields | {"logged_at": now, "prev_hash": link, "hash": previous, "leaves": None}
        )
    if bulk is not None:
        bulk.run(conn, [bulk.row(e) for e in entries])
    else:
        conn.execute(insert(ENTRY), entries)
    _move_head(conn, size + len(entries), previous)
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
    """How the log holds a record, if it does: its single entry, or its leaf of a batch entry.

    A leaf is given as a single entry would be (`leaf_views`), with the batch entry
    itself under "batch". The record's `log_batch` and `log_leaf` only point the way:
    the leaf found must name the record.
    """
    row = conn.execute(
        select(ENTRY).where(
            col(DecisionLogEntry.record_id) == record_id, col(DecisionLogEntry.kind) == kind
        )
    ).first()
    if row is not None:
        return dict(row._mapping)
    table = LOGGED[kind]
    if POSITION[0] not in table.c:
        return None
    place = conn.execute(
        select(table.c.log_batch, table.c.log_leaf).where(table.c.id == record_id)
    ).first()
    if place is None or place.log_batch is None:
        return None
    found = conn.execute(
        select(ENTRY).where(
            col(DecisionLogEntry.record_id) == place.log_batch, col(DecisionLogEntry.kind) == BATCH
        )
    ).first()
    if found is None:
        return None
    batch = dict(found._mapping)
    for view in leaf_views(batch):
        if (view["kind"], view["record_id"]) == (kind, record_id):
            return view | {"batch": batch}
    return None


@dataclass(frozen=True)
class LogReport:
    """The outcome of `verify_log`: where the first bad entry or record is, and why."""

    ok: bool
    checked: int
    seq: int | None = None
    kind: str | None = None
    record_id: str | None = None
    reason: str = ""
    adopted: int = 0  # entries of records stored before the log, brought in by `adopt`
    records: int = 0  # records logged by the entries checked (a batch entry logs many)
    leaf: int | None = None  # the bad record's leaf in a batch entry
    leaf_count: int | None = None  # how many records that batch entry logs


@dataclass(frozen=True)
class Adoption:
    """What `adopt` brought into the log, and what it left out."""

    adopted: dict[str, int]
    refused: dict[str, int]  # unlogged records stored after the log began: never adopted
    since: datetime | None  # the log's first entry: records stored before it are adopted


def adopt(conn: Connection, *, batch: int = 1000) -> Adoption:
    """Bring records stored before the log began into it, oldest first, marked "adopted".

    Only records older than the log's first entry are adopted: one stored later must
    have been logged when it was stored, so an unlogged one is a record inserted
    around the log, and `verify_log` keeps naming it. Screenings go first (each with
    its hits), then outcomes; each call appends under the head lock in the caller's
    transaction. Running it again adopts nothing new.
    """
    first = conn.execute(
        select(col(DecisionLogEntry.logged_at)).order_by(col(DecisionLogEntry.seq)).limit(1)
    ).scalar()
    adopted: dict[str, int] = {}
    refused: dict[str, int] = {}
    bulk = entry_insert(conn)
    for kind, table in LOGGED.items():
        logged = _logged_alone(kind, table)
        older = table.c.created_at < first if first is not None else table.c.id.is_not(None)
        count = 0
        while True:
            ids = (
                conn.execute(
                    select(table.c.id)
                    .where(~logged, older)
                    .order_by(table.c.created_at, table.c.id)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
            if not ids:
                break
            entries = [{"kind": kind, "record_id": i, "scheme": SCHEME_STORED} for i in ids]
            stored = _records(conn, entries)
            digests = [(kind, str(i), _digest_of(kind, e, stored[(kind, i)])) for i, e in
                       zip(ids, entries, strict=True)]  # fmt: skip
            append_digests(conn, digests, origin=ADOPTED, bulk=bulk)
            count += len(ids)
        adopted[kind] = count
        later = select(func.count()).select_from(table).where(~logged)
        refused[kind] = int(conn.execute(later).scalar() or 0) + len(_misplaced(conn, table))
    return Adoption(adopted=adopted, refused=refused, since=first)


def _logged_alone(kind: str, table: Table) -> Any:
    """A record that has its own entry, or names a batch entry (checked by `_misplaced`)."""
    alone = exists().where(
        col(DecisionLogEntry.record_id) == table.c.id, col(DecisionLogEntry.kind) == kind
    )
    if POSITION[0] in table.c:
        return alone | table.c.log_batch.is_not(None)
    return alone


def _misplaced(conn: Connection, table: Table, *, first: bool = False) -> list[str]:
    """Records naming a batch entry whose leaf at their `log_leaf` is not them."""
    if POSITION[0] not in table.c:
        return []
    kind = KIND_OF_TABLE[table.name]
    out: list[str] = []
    claims = conn.execute(
        select(table.c.id, table.c.log_batch, table.c.log_leaf)
        .where(table.c.log_batch.is_not(None))
        .order_by(table.c.log_batch, table.c.log_leaf)
    )
    current: str | None = None
    leaves: list[tuple[str, str, str]] = []
    for record_id, batch_id, index in claims:
        if batch_id != current:
            current = batch_id
            text = conn.execute(
                select(col(DecisionLogEntry.leaves)).where(
                    col(DecisionLogEntry.record_id) == batch_id,
                    col(DecisionLogEntry.kind) == BATCH,
                )
            ).scalar()
            leaves = parse_leaves(text) if text else []
        named = leaves[index][:2] if index is not None and 0 <= index < len(leaves) else None
        if named != (kind, record_id):
            out.append(str(record_id))
            if first:
                break
    return out


def verify_log(conn: Connection, *, batch: int = 500) -> LogReport:
    """Recompute every entry's digest and link in order; stop at the first bad record."""
    previous, checked, adopted, records = GENESIS_HASH, 0, 0, 0
    placed: dict[str, int] = {}  # records logged in batch entries, by kind
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
        views = [leaf_views(entry) for entry in entries]
        flat = [view for group in views for view in group]
        stored = _records(conn, flat)
        redacted = redacted_digests(conn, flat)
        for entry, group in zip(entries, views, strict=True):
            bad = _check(entry, group, previous, checked + 1, stored, redacted)
            if bad is not None:
                view, reason = bad
                leaf = view.get("leaf")
                return LogReport(
                    False, checked, entry["seq"], view["kind"], view["record_id"], reason,
                    adopted, records + (leaf or 0), leaf, entry.get("leaf_count"),
                )  # fmt: skip
            previous, checked = entry["hash"], entry["seq"]
            adopted += entry["origin"] == ADOPTED
            records += len(group)
            if entry["scheme"] == SCHEME_BATCH:
                for view in group:
                    placed[view["kind"]] = placed.get(view["kind"], 0) + 1
    size, last = head(conn)
    if (size, last) != (checked, previous):
        reason = f"the log head records {size} entries, the log holds {checked} intact"
        return LogReport(
            False, checked, checked + 1, None, None, reason + " (entries removed)", adopted, records
        )
    return _unlogged(conn, checked, adopted, records, placed)


def _records(conn: Connection, entries: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    # Scheme-2 entries are checked against the stored JSON text (cast, so no driver parses
    # it) and, for screenings, their hits; first-scheme ones against the parsed columns.
    out: dict[tuple[str, str], Any] = {}
    for kind, table in LOGGED.items():
        for scheme in (None, SCHEME_STORED):
            ids = [e["record_id"] for e in entries if e["kind"] == kind and e["scheme"] == scheme]
            if ids:
                out.update(_stored(conn, kind, table, ids, as_text=scheme is not None))
    return out


def _stored(
    conn: Connection, kind: str, table: Table, ids: list[str], *, as_text: bool
) -> dict[tuple[str, str], Any]:
    names = json_columns(table) if as_text else ()
    columns = [cast(c, Text).label(c.name) if c.name in names else c for c in table.columns]
    rows: dict[tuple[str, str], tuple[dict[str, Any], list[dict[str, Any]] | None]] = {
        (kind, row._mapping["id"]): (dict(row._mapping), None)
        for row in conn.execute(select(*columns).where(table.c.id.in_(ids)))
    }
    if as_text and kind == "screening":
        hits: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for hit in conn.execute(select(HIT).where(HIT.c.screening_id.in_(ids))):
            hits[hit._mapping["screening_id"]].append(dict(hit._mapping))
        rows = {key: (row, hits[key[1]]) for key, (row, _) in rows.items()}
    return rows


def current_digest(conn: Connection, *, kind: str, record_id: str, scheme: int | None) -> str:
    """The digest a stored record has now under `scheme` (KeyError if it is not stored)."""
    entry = {"kind": kind, "record_id": record_id, "scheme": scheme}
    found = _records(conn, [entry])[(kind, record_id)]
    return _digest_of(kind, entry, found)


def packet_record(
    conn: Connection, *, kind: str, record_id: str, scheme: int | None
) -> dict[str, Any]:
    """A stored record in JSON form, with what its digest is recomputed from (`packet_digest`).

    First scheme: the record's non-null columns. Scheme 2: `columns` (the non-JSON ones),
    `stored_json` (each JSON column's stored text) and, for a screening, `hits`.
    """
    entry = {"kind": kind, "record_id": record_id, "scheme": scheme}
    row, hits = _records(conn, [entry])[(kind, record_id)]
    if scheme is None:
        return plain_record(row)
    names = json_columns(LOGGED[kind])
    out: dict[str, Any] = {
        "columns": plain_record({k: v for k, v in row.items() if k not in names}),
        "stored_json": {n: row[n] for n in names if row.get(n) is not None},
    }
    if hits is not None:
        out["hits"] = [plain_record(_hit_json(h)) for h in hits]
    return out


def packet_digest(kind: str, record: Mapping[str, Any], *, scheme: int | None) -> str:
    """The digest of a record as `packet_record` gives it (offline: no database needed)."""
    if scheme is None:
        return record_digest(kind, record)
    if set(record) - {"columns", "stored_json", "hits"}:
        return ""  # a field the digest would not cover: it matches no digest
    stored_json = dict(record["stored_json"])
    row = dict(record["columns"]) | stored_json
    return stored_digest(kind, row, json_names=tuple(stored_json), hits=record.get("hits"))


def _digest_of(kind: str, entry: dict[str, Any], stored: tuple[dict[str, Any], Any]) -> str:
    row, hits = stored
    if entry["scheme"] is None:
        return record_digest(kind, row)
    return stored_digest(kind, row, json_names=json_columns(LOGGED[kind]), hits=hits)


def _check(
    entry: dict[str, Any],
    views: list[dict[str, Any]],
    previous: str,
    seq: int,
    stored: dict[Any, Any],
    redacted: Mapping[tuple[str, str], tuple[str, str]],
) -> tuple[dict[str, Any], str] | None:
    # The entry first (named by its first record), then each record it logs, in order.
    first = views[0] if views else entry
    if entry["seq"] != seq:
        return first, f"position {seq} is missing (an entry was removed or moved)"
    if entry["prev_hash"] != previous:
        return first, "does not link to the entry before it (entries were removed or reordered)"
    if entry_hash(previous, entry) != entry["hash"]:
        return first, "the entry's fields do not match its hash"
    batched = entry["scheme"] == SCHEME_BATCH
    if batched:
        count = entry.get("leaf_count")
        if not views or count != len(views):
            return first, "the entry's records do not match its count (records removed or added)"
        root = merkle_root([leaf_hash(leaf_line(v["kind"], v["record_id"], v["digest"]))
                            for v in views]).hex()  # fmt: skip
        if root != entry["digest"]:
            return first, "the entry's records do not match its Merkle root (edited or reordered)"
    for view in views:
        reason = _check_record(view, stored, redacted, entry["record_id"] if batched else None)
        if reason:
            return view, reason
    return None


def _check_record(
    view: dict[str, Any],
    stored: dict[Any, Any],
    redacted: Mapping[tuple[str, str], tuple[str, str]],
    batch_id: str | None,
) -> str:
    kind = view["kind"]
    found = stored.get((kind, view["record_id"]))
    if found is None:
        return f"the {kind} it logs is missing (deleted)"
    digest = _digest_of(kind, view, found)
    if digest != view["digest"] and not purged_as_logged(view, digest, redacted):
        what = "or its hits " if kind == "screening" and view["scheme"] is not None else ""
        return f"the stored {kind} {what}does not match its logged digest (edited)"
    row = found[0]
    place = (row.get(POSITION[0]), row.get(POSITION[1]))
    if place != ((batch_id, view["leaf"]) if batch_id is not None else (None, None)):
        return f"the stored {kind} names another place in the log than its own (edited)"
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


def _unlogged(
    conn: Connection, checked: int, adopted: int, records: int, placed: Mapping[str, int]
) -> LogReport:
    for kind, table in LOGGED.items():
        alone = exists().where(
            col(DecisionLogEntry.record_id) == table.c.id, col(DecisionLogEntry.kind) == kind
        )
        unlogged = ~alone
        if POSITION[0] in table.c:
            unlogged = unlogged & table.c.log_batch.is_(None)
        record_id = conn.execute(select(table.c.id).where(unlogged).limit(1)).scalar()
        if record_id is None and POSITION[0] in table.c:
            # Every leaf checked names its record, so more records naming a batch entry
            # than leaves means one names a place that is not its own.
            claims = select(func.count()).select_from(table).where(table.c.log_batch.is_not(None))
            if int(conn.execute(claims).scalar() or 0) != placed.get(kind, 0):
                record_id = next(iter(_misplaced(conn, table, first=True)), None)
        if record_id is not None:
            reason = f"the {kind} is stored but not in the log (inserted around it)"
            return LogReport(False, checked, None, kind, str(record_id), reason, adopted, records)
    return LogReport(True, checked, adopted=adopted, records=records)


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
