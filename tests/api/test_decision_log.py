"""The decision log: screenings and outcomes chained; `audit verify` names the first bad record."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from typer.testing import CliRunner, Result

from api.cli.main import app as cli
from catalog.access import decision_log
from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.models import Screening
from tests.api.helpers import register
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

CHEAP_SHOES = {
    "description": "nike air zoom pegasus 40 running shoe replica",
    "brand": "Nike",
    "quantity": 1,
    "unit_value": {"amount": 10.0, "currency": "USD"},
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has finished loading its index."""
    with screening_client(settings) as test_client:
        yield test_client


@pytest.fixture
def audit_cli(settings: Settings) -> Any:
    """Run `countermark audit ...` against the test's database and data folder."""
    env = {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, ["audit", *args], env=env)

    return run


@pytest.fixture
def screened(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> list[dict[str, Any]]:
    """Three stored screenings (red) and an outcome on the second."""
    _, holder = make_holder("Nike")
    register(client, holder)
    customs = make_key("customs")
    made = [client.post("/v1/screenings", headers=customs, json=CHEAP_SHOES).json() for _ in "abc"]
    outcome = {"outcome": "counterfeit", "note": "glued sole"}
    recorded = client.post(f"/v1/screenings/{made[1]['id']}/outcome", headers=customs, json=outcome)
    assert recorded.status_code == 200, recorded.text
    return made


def _entries(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as conn:
        rows = conn.execute(select(decision_log.ENTRY).order_by(decision_log.ENTRY.c.seq))
        return [dict(r._mapping) for r in rows]


def test_screenings_and_outcomes_are_chained_in_order(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    entries = _entries(database)
    result = audit_cli("verify")
    table = decision_log.LOGGED["screening"]
    with database.engine.connect() as conn:
        places = {
            row.id: (row.log_batch, row.log_leaf)
            for row in conn.execute(select(table.c.id, table.c.log_batch, table.c.log_leaf))
        }

    # Each screening was its own group commit: a batch entry of one leaf; the outcome,
    # stored by its own request, has a single entry.
    assert [(e["seq"], e["kind"], e["scheme"], e["leaf_count"]) for e in entries] == [
        (1, "batch", 3, 1), (2, "batch", 3, 1), (3, "batch", 3, 1), (4, "outcome", None, None)
    ]  # fmt: skip
    leaves = [decision_log.parse_leaves(e["leaves"]) for e in entries[:3]]
    assert [[(kind, rid) for kind, rid, _ in batch] for batch in leaves] == [
        [("screening", s["id"])] for s in screened
    ]
    assert [places[s["id"]] for s in screened] == [(e["record_id"], 0) for e in entries[:3]]
    assert all(e["prev_hash"] == p["hash"] for p, e in itertools.pairwise(entries))
    assert result.exit_code == 0, result.output
    assert "decision log intact: 4 entries, logging 4 records" in result.output


def test_a_result_edited_from_red_to_green_is_named(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    target = screened[1]["id"]
    table = decision_log.LOGGED["screening"]
    with database.engine.begin() as conn:
        stored = conn.execute(select(table.c.result).where(table.c.id == target)).scalar_one()
        assert stored["lane"] == "red"
        greened = stored | {"lane": "green", "verdict": "likely_genuine", "risk": 0.05}
        conn.execute(update(table).where(table.c.id == target).values(result=greened))
        conn.execute(text("UPDATE screening SET lane = 'green' WHERE id = :id"), {"id": target})

    result = audit_cli("verify")

    assert result.exit_code == 1
    assert f"entry 2 (screening {target})" in result.output
    assert "edited" in result.output
    assert "1 entries before it are intact" in result.output


def test_a_deleted_screening_is_named(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    target = screened[0]["id"]
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM screening_hit WHERE screening_id = :id"), {"id": target})
        conn.execute(text("DELETE FROM screening WHERE id = :id"), {"id": target})

    result = audit_cli("verify")

    assert result.exit_code == 1
    assert f"entry 1 (screening {target})" in result.output
    assert "missing" in result.output


def test_a_deleted_entry_and_its_screening_are_caught(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    target = screened[2]["id"]
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM decision_log WHERE seq = 3"))
        conn.execute(text("DELETE FROM screening_hit WHERE screening_id = :id"), {"id": target})
        conn.execute(text("DELETE FROM screening WHERE id = :id"), {"id": target})

    result = audit_cli("verify")

    assert result.exit_code == 1
    assert "entry 4 (outcome" in result.output
    assert "position 3 is missing" in result.output


def test_reordered_entries_are_caught(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    with database.engine.begin() as conn:  # swap positions 1 and 2 through a free number
        conn.execute(text("UPDATE decision_log SET seq = 99 WHERE seq = 1"))
        conn.execute(text("UPDATE decision_log SET seq = 1 WHERE seq = 2"))
        conn.execute(text("UPDATE decision_log SET seq = 2 WHERE seq = 99"))

    result = audit_cli("verify")

    assert result.exit_code == 1
    assert f"entry 1 (screening {screened[1]['id']})" in result.output
    assert "reordered" in result.output


def test_cut_tail_edited_outcome_and_unlogged_screening_are_caught(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE screening_outcome SET outcome = 'genuine'"))
    edited = audit_cli("verify").output
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM decision_log WHERE seq = 4"))
    cut = audit_cli("verify").output
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE decision_log_head SET size = 3, hash = :h"),
                     {"h": _entries(database)[-1]["hash"]})  # fmt: skip
    unlogged = audit_cli("verify").output

    assert "entry 4 (outcome" in edited
    assert "edited" in edited
    assert "the log head records 4 entries" in cut
    assert "(outcome " in unlogged
    assert "not in the log" in unlogged


def test_a_saved_head_verifies_after_more_screenings_but_not_after_a_rewrite(
    screened: list[dict[str, Any]],
    client: TestClient,
    make_key: KeyFactory,
    database: Database,
    audit_cli: Any,
    tmp_path: Path,
) -> None:
    printed = audit_cli("head")
    assert printed.exit_code == 0, printed.output
    head = json.loads(printed.stdout)
    saved = tmp_path / "head.json"
    saved.write_text(printed.stdout)
    client.post("/v1/screenings", headers=make_key("customs"), json=CHEAP_SHOES)
    later = audit_cli("verify-head", str(saved))
    offline = audit_cli("verify-head", "--offline", str(saved))
    _rewrite_first_screening_and_rechain(database)
    chain_alone = audit_cli("verify")
    rewritten = audit_cli("verify-head", str(saved))
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(head | {"size": head["size"] - 1}))

    assert (head["size"], len(head["public_key"])) == (4, 64)
    assert later.exit_code == 0, later.output
    assert "extends the head" in later.output
    assert offline.exit_code == 0
    assert "signature valid" in offline.output
    assert chain_alone.exit_code == 0  # a consistent rewrite fools the chain alone ...
    assert rewritten.exit_code == 1  # ... but not whoever kept a signed head
    assert "history was rewritten" in rewritten.output
    assert audit_cli("verify-head", str(forged)).exit_code == 1


def _rewrite_first_screening_and_rechain(database: Database) -> None:
    """What a careful forger with database access does: edit, then recompute every hash."""
    table = decision_log.LOGGED["screening"]
    with database.engine.begin() as conn:
        first = decision_log.leaf_views(_entries(database)[0])[0]["record_id"]
        conn.execute(update(table).where(table.c.id == first).values(lane="green"))
        previous = decision_log.GENESIS_HASH
        for entry in _entries_in(conn):
            if entry["kind"] == decision_log.BATCH:  # each leaf's digest, then the root
                leaves = [
                    (kind, rid, decision_log.current_digest(conn, kind=kind, record_id=rid,
                                                            scheme=decision_log.SCHEME_STORED))
                    for kind, rid, _ in decision_log.parse_leaves(entry["leaves"])
                ]  # fmt: skip
                lines = [decision_log.leaf_line(*leaf) for leaf in leaves]
                entry["leaves"] = "\n".join(lines)
                root = decision_log.merkle_root([decision_log.leaf_hash(x) for x in lines])
                entry["digest"] = root.hex()
            else:
                entry["digest"] = decision_log.current_digest(
                    conn, kind=entry["kind"], record_id=entry["record_id"], scheme=entry["scheme"]
                )
            entry["prev_hash"] = previous
            entry["hash"] = previous = decision_log.entry_hash(previous, entry)
            conn.execute(
                update(decision_log.ENTRY)
                .where(decision_log.ENTRY.c.seq == entry["seq"])
                .values(digest=entry["digest"], prev_hash=entry["prev_hash"], hash=entry["hash"],
                        leaves=entry["leaves"])
            )  # fmt: skip
        conn.execute(update(decision_log.HEAD).values(hash=previous))
    assert Screening.__tablename__ == table.name


def _entries_in(conn: Any) -> list[dict[str, Any]]:
    rows = conn.execute(select(decision_log.ENTRY).order_by(decision_log.ENTRY.c.seq))
    return [dict(r._mapping) for r in rows]


def test_an_edited_hit_row_is_caught(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    before = audit_cli("verify")
    with database.engine.begin() as conn:  # a rights holder's alert quietly dropped
        conn.execute(
            text("DELETE FROM screening_hit WHERE screening_id = :id"), {"id": screened[2]["id"]}
        )
    after = audit_cli("verify")

    assert before.exit_code == 0, before.output
    assert after.exit_code == 1
    assert f"entry 3 (screening {screened[2]['id']})" in after.output
    assert "or its hits does not match its logged digest" in after.output


def _forget_the_log(database: Database) -> None:
    """A database from before the log: its screenings and outcomes stored, nothing logged."""
    with database.engine.begin() as conn:
        conn.execute(text("DELETE FROM decision_log"))
        conn.execute(text("UPDATE screening SET log_batch = NULL, log_leaf = NULL"))
        conn.execute(update(decision_log.HEAD).values(size=0, hash=decision_log.GENESIS_HASH))


def test_adopt_brings_records_stored_before_the_log_into_it(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    _forget_the_log(database)
    unlogged = audit_cli("verify")
    adopted = audit_cli("adopt")
    again = audit_cli("adopt")
    verified = audit_cli("verify")
    entries = _entries(database)
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE screening SET lane = 'green' WHERE id = :id"), {"id": screened[0]["id"]}
        )
    edited = audit_cli("verify")

    assert unlogged.exit_code == 1
    assert "not in the log" in unlogged.output
    assert adopted.exit_code == 0, adopted.output
    assert "adopted 3 screening(s)" in adopted.output
    assert "adopted 1 outcome(s)" in adopted.output
    assert "adopted 0 screening(s)" in again.output
    assert verified.exit_code == 0, verified.output
    assert "decision log intact: 4 entries (4 adopted late)" in verified.output
    assert [(e["kind"], e["origin"], e["scheme"]) for e in entries] == [
        ("screening", "adopted", 2), ("screening", "adopted", 2), ("screening", "adopted", 2),
        ("outcome", "adopted", 2),
    ]  # fmt: skip
    assert [e["record_id"] for e in entries[:3]] == [s["id"] for s in screened]
    assert edited.exit_code == 1
    assert f"entry 1 (screening {screened[0]['id']})" in edited.output


def test_adopt_refuses_a_screening_inserted_around_the_log(
    screened: list[dict[str, Any]], database: Database, audit_cli: Any
) -> None:
    table = decision_log.LOGGED["screening"]
    with database.engine.begin() as conn:  # a copy of a logged screening, stored later
        row = dict(
            conn.execute(select(table).where(table.c.id == screened[0]["id"])).one()._mapping
        )
        forged = row | {"id": "0" * 8 + row["id"][8:], "created_at": row["created_at"]}
        forged["created_at"] = _entries(database)[-1]["logged_at"]
        conn.execute(table.insert().values(**forged))
    adopted = audit_cli("adopt")
    verified = audit_cli("verify")

    assert adopted.exit_code == 1
    assert "NOT adopted: 1 screening(s) stored after the log began" in adopted.output
    assert "adopted 0 screening(s)" in adopted.output
    assert verified.exit_code == 1
    assert f"(screening {forged['id']})" in verified.output
    assert "not in the log" in verified.output
