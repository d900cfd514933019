"""Entry hashes: the orjson form equals the canonical JSON older entries were hashed with."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.access import decision_log
from catalog.access.audit import canonical_json, sha256_hex


def test_entry_hash_is_the_first_schemes_hash_for_entries_without_scheme_or_origin() -> None:
    entry = {"seq": 12, "kind": "screening", "record_id": "01a2-ü", "digest": "ab" * 32,
             "logged_at": datetime(2026, 12, 1, 10, 0, 0, 5, tzinfo=UTC)}  # fmt: skip
    fields = decision_log.entry_fields(entry)
    old = sha256_hex("f" * 64 + canonical_json(fields))

    assert decision_log.entry_hash("f" * 64, entry) == old
    assert "scheme" not in fields
    assert "origin" not in fields


def test_scheme_and_origin_are_covered_by_the_hash() -> None:
    entry = {"seq": 1, "kind": "screening", "record_id": "r", "digest": "0" * 64,
             "logged_at": "2026-12-01T10:00:00+00:00", "scheme": 2, "origin": None}  # fmt: skip
    adopted = entry | {"origin": "adopted"}

    assert decision_log.entry_hash("0" * 64, entry) != decision_log.entry_hash("0" * 64, adopted)
    assert decision_log.entry_hash("0" * 64, entry) != decision_log.entry_hash(
        "0" * 64, entry | {"scheme": None}
    )
