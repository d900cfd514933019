"""Batch entries: one decision-log entry per group commit, a Merkle root over its screenings.

`verify_log` still names the first bad screening inside a batch (not just the batch),
and an evidence proof of one screening is its leaf's RFC 6962 audit path.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select, text, update

from catalog.access import decision_log
from catalog.core.db import Database
from catalog.core.ids import new_id
from catalog.screening.proof import build_proof, check_proof
from catalog.screening.service import HIT_TABLE, SCREENING_TABLE, WRITE_ORDER
from catalog.screening.writer import GroupCommitWriter

SIZE = 5


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written as the RFC defines it (recursive split)."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    left, right = _reference_root(leaves[:k]), _reference_root(leaves[k:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def _leaves(n: int) -> list[bytes]:
    return [decision_log.leaf_hash(f"screening r{i} {i:064x}") for i in range(n)]


def test_the_root_is_rfc_6962s_and_every_audit_path_leads_to_it() -> None:
    for n in range(1, 34):
        hashes = _leaves(n)
        root = decision_log.merkle_root(hashes)
        assert root == _reference_root(hashes), n
        for m in range(n):
            path = decision_log.audit_path(hashes, m)
            assert decision_log.root_from_path(m, n, hashes[m], path) == root, (n, m)
            assert len(path) <= (n - 1).bit_length()
            if n > 1:  # another position or another leaf does not lead there (the size
                # alone is not bound by a path: the entry's hash covers the leaf count)
                assert decision_log.root_from_path((m + 1) % n, n, hashes[m], path) != root
                assert decision_log.root_from_path(m, n, hashes[(m + 1) % n], path) != root
    assert decision_log.root_from_path(3, 3, _leaves(3)[0], []) is None


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    a, b = _leaves(2)
    assert decision_log.merkle_root([a, b]) == hashlib.sha256(b"\x01" + a + b).digest()
    assert decision_log.leaf_hash("x") == hashlib.sha256(b"\x00x").digest()


def _row(lane: str = "red") -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": new_id(), "api_key_id": "k", "client_role": "customs", "reference": "DECL-1",
        "declared_on": date(2026, 11, 27), "screened_on": date(2026, 11, 27),
        "request": {"description": "running shoes", "importer": "Importer GmbH"},
        "result": {"lane": lane, "risk": 0.93, "matches": [{"similarity": 0.9}]},
        "risk": 0.93, "verdict": "likely_counterfeit", "lane": lane, "catalog_version": 1,
        "engine_version": "e", "weights_version": "w", "settings_version": 0, "fx_version": 0,
        "thresholds": {"red": 0.8}, "took_ms": 0.5, "created_at": now,
    }  # fmt: skip


def _hits(screening_id: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {"screening_id": screening_id, "product_id": new_id(), "rights_holder_id": "h",
         "rank": rank, "similarity": 0.9, "risk": 0.9, "created_at": now}
        for rank in range(2)
    ]  # fmt: skip


@pytest.fixture
def batch(database: Database) -> list[str]:
    """Five screenings (two hits each) written by five requests in one group commit."""
    writer = GroupCommitWriter(engine=database.write_engine, table_order=WRITE_ORDER)
    rows = [_row() for _ in range(SIZE)]
    writer.start()

    async def together() -> None:  # one loop iteration: one hand-off, one batch
        await asyncio.gather(
            *(writer.write({SCREENING_TABLE: [r], HIT_TABLE: _hits(r["id"])}) for r in rows)
        )

    try:
        asyncio.run(together())
    finally:
        writer.stop()
    assert writer.batches == 1
    return [r["id"] for r in rows]


@pytest.fixture
def conn(database: Database) -> Iterator[Connection]:
    with database.engine.connect() as connection:
        yield connection


def _verify(database: Database) -> decision_log.LogReport:
    with database.engine.connect() as connection:
        return decision_log.verify_log(connection)


def test_one_entry_logs_the_whole_group_commit_in_order(
    batch: list[str], database: Database, conn: Connection
) -> None:
    entries = [dict(r._mapping) for r in conn.execute(select(decision_log.ENTRY))]
    places = dict(
        conn.execute(select(SCREENING_TABLE.c.id, SCREENING_TABLE.c.log_leaf)).tuples().all()
    )
    report = _verify(database)

    assert [(e["kind"], e["scheme"], e["leaf_count"]) for e in entries] == [("batch", 3, SIZE)]
    assert [rid for _, rid, _ in decision_log.parse_leaves(entries[0]["leaves"])] == batch
    assert [places[i] for i in batch] == list(range(SIZE))
    assert (report.ok, report.checked, report.records) == (True, 1, SIZE)
    assert decision_log.head(conn) == (1, entries[0]["hash"])


def test_an_edited_screening_inside_a_batch_is_named_with_its_leaf(
    batch: list[str], database: Database
) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE screening SET lane = 'green' WHERE id = :id"), {"id": batch[2]})
    report = _verify(database)

    assert not report.ok
    assert (report.seq, report.record_id, report.leaf, report.leaf_count) == (1, batch[2], 2, SIZE)
    assert report.records == 2  # the two before it in the batch are intact
    assert "edited" in report.reason


def test_a_deleted_hit_or_screening_inside_a_batch_is_named(
    batch: list[str], database: Database
) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM screening_hit WHERE screening_id = :id"), {"id": batch[3]})
    hit = _verify(database)
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM screening_hit WHERE screening_id = :id"), {"id": batch[1]})
        conn.execute(text("DELETE FROM screening WHERE id = :id"), {"id": batch[1]})
    gone = _verify(database)

    assert (hit.ok, hit.record_id, hit.leaf) == (False, batch[3], 3)
    assert "or its hits" in hit.reason
    assert (gone.ok, gone.record_id, gone.leaf) == (False, batch[1], 1)
    assert "missing" in gone.reason


def test_reordered_or_removed_leaves_break_the_root(batch: list[str], database: Database) -> None:
    table = decision_log.ENTRY
    with database.engine.connect() as conn:
        leaves = conn.execute(select(table.c.leaves)).scalar_one().split("\n")
    swapped = [leaves[1], leaves[0], *leaves[2:]]
    with database.engine.begin() as conn:
        conn.execute(update(table).values(leaves="\n".join(swapped)))
    reordered = _verify(database)
    with database.engine.begin() as conn:
        conn.execute(update(table).values(leaves="\n".join(leaves[:-1])))
    shortened = _verify(database)
    with database.engine.begin() as conn:
        conn.execute(update(table).values(leaves="\n".join(leaves[:-1]), leaf_count=SIZE - 1))
    recounted = _verify(database)

    assert (reordered.ok, reordered.seq) == (False, 1)
    assert "Merkle root" in reordered.reason
    assert "count" in shortened.reason
    assert "hash" in recounted.reason  # the count is covered by the entry's hash


def test_a_moved_place_and_a_copy_claiming_a_place_are_caught(
    batch: list[str], database: Database
) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE screening SET log_leaf = 4 WHERE id = :id"), {"id": batch[0]})
    moved = _verify(database)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE screening SET log_leaf = 0 WHERE id = :id"), {"id": batch[0]})
        row = dict(
            conn.execute(select(SCREENING_TABLE).where(SCREENING_TABLE.c.id == batch[0]))
            .one()
            ._mapping
        )
        forged = row | {"id": new_id()}  # a copy, claiming the original's leaf
        conn.execute(SCREENING_TABLE.insert().values(**forged))
    copied = _verify(database)

    assert (moved.ok, moved.record_id, moved.leaf) == (False, batch[0], 0)
    assert "another place" in moved.reason
    assert (copied.ok, copied.record_id) == (False, forged["id"])
    assert "not in the log" in copied.reason


def test_a_screenings_proof_is_its_audit_path_and_checks_offline(
    batch: list[str], conn: Connection
) -> None:
    key = Ed25519PrivateKey.generate()
    proof = build_proof(conn, key=key, kind="screening", record_id=batch[3])
    assert proof is not None
    record = decision_log.packet_record(
        conn, kind="screening", record_id=batch[3], scheme=proof["leaf"]["scheme"]
    )
    packet = {"screening": {"id": batch[3]}, "proof": proof, "record": record}
    other = decision_log.packet_record(
        conn, kind="screening", record_id=batch[2], scheme=decision_log.SCHEME_STORED
    )
    path = proof["audit_path"]

    assert proof["leaf"]["index"] == 3
    assert len(path) == 3  # ceil(log2(5)) sibling hashes, not the whole batch
    assert batch[2] not in str(proof)  # the other screenings of the batch stay out of it
    assert check_proof(packet) == []
    assert check_proof(packet | {"record": other}) != []
    assert check_proof(packet | {"screening": {"id": batch[2]}}) != []
    moved = proof | {"leaf": proof["leaf"] | {"index": 2}}
    assert "audit path" in " ".join(check_proof(packet | {"proof": moved}))
    forged_path = proof | {"audit_path": [path[0], "00" * 32, path[2]]}
    assert "audit path" in " ".join(check_proof(packet | {"proof": forged_path}))
    edited = proof | {"leaf": proof["leaf"] | {"digest": "0" * 64}}
    assert check_proof(packet | {"proof": edited}) != []
