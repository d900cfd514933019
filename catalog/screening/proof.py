"""The log proof in an evidence packet: a record's entry, its hash and a head signed at it.

The head is signed at the record's entry ("the log's first `seq` entries end in this
hash"), so the proof is checked offline from the packet alone: recompute the entry's
hash from its fields, compare it with the signed head, verify the signature and, where
the packet carries the whole stored record, recompute its digest.

A record logged in a batch entry (one per group commit, scheme 3) also carries its
leaf (kind, id, digest, index) and the audit path from that leaf to the entry's Merkle
root (RFC 6962 inclusion proof, a few sibling hashes): the check hashes the leaf up
the path and compares the result with the root the entry's hash covers, so the packet
proves this one record without revealing the others of its batch.

Whoever keeps the packet also holds a head: `countermark audit verify-head` on its
`head` shows later that the log still extends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from catalog.access import decision_log, signing

CHECK_COMMAND = "countermark audit check-proof PACKET.json"


def build_proof(
    conn: Connection, *, key: Ed25519PrivateKey, kind: str, record_id: str
) -> dict[str, Any] | None:
    """The proof for a logged record, or None when it is not in the log."""
    found = decision_log.entry_for(conn, kind=kind, record_id=record_id)
    if found is None:
        return None
    entry = found.get("batch", found)
    fields = decision_log.entry_fields(entry)
    proof: dict[str, Any] = {
        "entry": fields | {"prev_hash": entry["prev_hash"]},
        "record_hash": entry["hash"],
        "position": fields["seq"],
    }
    if "batch" in found:
        index = int(found["leaf"])
        proof["leaf"] = {
            "index": index,
            "kind": found["kind"],
            "record_id": found["record_id"],
            "digest": found["digest"],
            "scheme": found["scheme"],
        }
        proof["audit_path"] = decision_log.inclusion(entry, index)
    return proof | {
        "head": signing.sign_head(key, size=fields["seq"], hash=entry["hash"]),
        "check": CHECK_COMMAND,
    }


def check_proof(packet: Mapping[str, Any]) -> list[str]:
    """What is wrong with a packet's proof (empty when it holds)."""
    proof = packet.get("proof")
    if not isinstance(proof, Mapping):
        return ["the packet has no proof"]
    problems: list[str] = []
    try:
        entry, head = proof["entry"], proof["head"]
        if decision_log.entry_hash(entry["prev_hash"], entry) != proof["record_hash"]:
            problems.append("the entry's fields do not hash to the record hash")
        if (head["size"], head["hash"]) != (entry["seq"], proof["record_hash"]):
            problems.append("the signed head is not the head at the record's position")
        if not signing.signature_valid(head):
            problems.append("the head's signature does not verify")
        logged = entry
        if entry.get("scheme") == decision_log.SCHEME_BATCH:
            logged = proof["leaf"]
            problems.extend(_inclusion_problems(entry, logged, proof["audit_path"]))
        screening = packet.get("screening")
        if isinstance(screening, Mapping) and screening.get("id") not in (
            None,
            logged["record_id"],
        ):
            problems.append("the proof logs another record than the packet's")
        record = packet.get("record")
        kind, digest = logged["kind"], logged["digest"]
        scheme = logged.get("scheme")
        if (
            isinstance(record, Mapping)
            and decision_log.packet_digest(kind, record, scheme=scheme) != digest
        ):
            problems.append("the stored record in the packet does not match the digest")
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"the proof is incomplete: {exc}")
    return problems


def _inclusion_problems(entry: Mapping[str, Any], leaf: Mapping[str, Any], path: Any) -> list[str]:
    if leaf.get("scheme") != decision_log.SCHEME_STORED:
        return ["the record's leaf names no digest scheme this check knows"]
    line = decision_log.leaf_line(str(leaf["kind"]), str(leaf["record_id"]), str(leaf["digest"]))
    root = decision_log.root_from_path(
        int(leaf["index"]),
        int(entry["leaf_count"]),
        decision_log.leaf_hash(line),
        [bytes.fromhex(str(h)) for h in path],
    )
    if root is None or root.hex() != entry["digest"]:
        return ["the record's audit path does not lead to the entry's Merkle root"]
    return []
