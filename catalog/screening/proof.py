"""The log proof in an evidence packet: a record's entry, its hash and a head signed at it.

The head is signed at the record's own position ("the log's first `seq` entries end
in this hash"), so the proof is checked offline from the packet alone: recompute the
entry's hash from its fields, compare it with the signed head, verify the signature
and, where the packet carries the whole stored record, recompute its digest. Whoever
keeps the packet also holds a head: `countermark audit verify-head` on its `head`
shows later that the log still extends it.
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
    entry = decision_log.entry_for(conn, kind=kind, record_id=record_id)
    if entry is None:
        return None
    fields = decision_log.entry_fields(entry)
    return {
        "entry": fields | {"prev_hash": entry["prev_hash"]},
        "record_hash": entry["hash"],
        "position": fields["seq"],
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
        record = packet.get("record")
        kind, digest = entry["kind"], entry["digest"]
        scheme = entry.get("scheme")
        if (
            isinstance(record, Mapping)
            and decision_log.packet_digest(kind, record, scheme=scheme) != digest
        ):
            problems.append("the stored record in the packet does not match the digest")
    except (KeyError, TypeError) as exc:
        problems.append(f"the proof is incomplete: {exc}")
    return problems
