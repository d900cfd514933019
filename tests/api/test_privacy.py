"""Personal data: declared parties stored as keyed pseudonyms, and `countermark purge`.

A purge removes personal data past retention and `countermark audit verify` still
passes; an edit after the purge (of the record or of its redaction) is still caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from typer.testing import CliRunner, Result

from api.cli.main import app as cli
from catalog.access import decision_log
from catalog.access.retention import _screening, purge
from catalog.core.blobs import BlobStore
from catalog.core.db import Database
from catalog.core.settings import Settings, pseudonym_secret
from catalog.models import AuditEvent, OfficerCheck, Redaction, Screening, ScreeningOutcome
from catalog.screening.rescore import rescore_as_recorded
from tests.api.checkkit import jpeg, phone_photo
from tests.api.helpers import SHOE, register
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client, screening_settings

IMPORTER = "Jan Kowalski"
DECLARED = {
    "reference": "D-9",
    "description": "nike air zoom pegasus 40 mens running shoe",
    "brand": "Nike",
    "quantity": 400,
    "origin_country": "CN",
    "importer": "NIKE EUROPE B.V.",  # SHOE authorises "Nike Europe BV": the same party
    "exporter": IMPORTER + " Export",
    "consignee": {"name": "Anna Nowak", "address": "ul. Polna 3, Lodz"},
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has finished loading its index."""
    with screening_client(settings) as test_client:
        yield test_client


@pytest.fixture
def cli_run(settings: Settings) -> Any:
    env = {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), env=env)

    return run


@pytest.fixture
def screened(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> dict[str, Any]:
    """One screening with named parties and an inspection outcome with a note."""
    _, holder = make_holder("Nike")
    register(client, holder, authorized_exporters=["Nike Vietnam Co."])
    customs = make_key("customs")
    made = client.post("/v1/screenings", headers=customs, json=DECLARED)
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    outcome = {"outcome": "counterfeit", "note": "Mr Kowalski said he bought them online"}
    recorded = client.post(f"/v1/screenings/{body['id']}/outcome", headers=customs, json=outcome)
    assert recorded.status_code == 200, recorded.text
    return body


def _stored_text(database: Database) -> str:
    with database.engine.connect() as conn:
        rows = conn.execute(select(Screening.__table__)).all()  # type: ignore[attr-defined]
        return " ".join(str(dict(r._mapping)) for r in rows)


def test_parties_are_stored_as_pseudonyms_and_still_match_the_authorised_list(
    screened: dict[str, Any], database: Database, settings: Settings
) -> None:
    stored = _stored_text(database)
    signals = {s["name"]: s for s in screened["matches"][0]["signals"]}
    as_recorded, today = rescore_as_recorded(
        engine=database.engine,
        screening_id=screened["id"],
        pseudonym_key=pseudonym_secret(screening_settings(settings)),
    )

    for name in ("NIKE EUROPE", "Kowalski", "Anna Nowak", "Polna"):
        assert name.casefold() not in stored.casefold()
        assert name.casefold() not in str(screened).casefold()
    assert "hmac-sha256:" in stored
    assert SHOE["authorized_importers"] == ["Nike Europe BV"]
    assert signals["importer_authorized"]["detail"] == (
        "the declared importer is on Nike's authorised list"
    )
    assert "exporter_not_authorized" in signals
    assert as_recorded.identical, as_recorded.differences
    assert today.identical, today.differences


def test_another_key_cannot_link_the_pseudonyms(
    screened: dict[str, Any], database: Database
) -> None:
    """The pseudonym is keyed: without the service's secret the name does not match."""
    as_recorded, _ = rescore_as_recorded(
        engine=database.engine, screening_id=screened["id"], pseudonym_key=b"another secret"
    )

    assert not as_recorded.identical
    assert any("importer_authorized" in line for line in as_recorded.differences)


def _purge_later(database: Database, settings: Settings, days: int = 31) -> Any:
    with database.session() as session:
        return purge(
            session,
            older_than_days=30,
            actor="test",
            blobs=BlobStore(settings.blob_dir),
            now=datetime.now(UTC) + timedelta(days=days),
        )


def test_purge_removes_personal_data_and_the_log_still_verifies(
    screened: dict[str, Any], database: Database, settings: Settings, cli_run: Any
) -> None:
    early = _purge_later(database, settings, days=29)  # not yet past retention
    report = _purge_later(database, settings)
    again = _purge_later(database, settings)
    verified = cli_run("audit", "verify")
    with database.session(write=False) as session:
        screening = session.get(Screening, screened["id"])
        outcome = session.exec(select(ScreeningOutcome)).scalars().one()  # type: ignore[call-overload]
        redactions = session.exec(select(Redaction)).scalars().all()  # type: ignore[call-overload]
        events = (
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "retention.purge")  # type: ignore[arg-type]
            )
            .scalars()
            .all()
        )  # type: ignore[call-overload]
    assert screening is not None

    assert early.redacted == {}
    assert report.redacted == {"screening": 1, "outcome": 1}
    assert report.refused == []
    assert again.redacted == {}
    assert {k: screening.request[k] for k in ("importer", "exporter", "consignee")} == {
        "importer": None, "exporter": None, "consignee": None
    }  # fmt: skip
    assert screening.result["lane"] == screened["lane"]  # the decision itself stays
    assert screening.request["description"] == DECLARED["description"]
    assert outcome.note is None
    assert outcome.outcome == "counterfeit"
    assert sorted(r.kind for r in redactions) == ["outcome", "screening"]
    assert len(events) == 3
    assert verified.exit_code == 0, verified.output
    assert "decision log intact: 4 entries" in verified.output  # 2 records + 2 redactions


def test_an_edit_after_the_purge_is_still_caught(
    screened: dict[str, Any], database: Database, settings: Settings, cli_run: Any
) -> None:
    _purge_later(database, settings)
    table = decision_log.LOGGED["screening"]
    with database.engine.begin() as conn:
        stored = conn.execute(select(table.c.result).where(table.c.id == screened["id"])).one()[0]
        # CN is not an authorised origin of SHOE: yellow since the trust weights of 2026-12-02
        assert stored["lane"] != "red"
        reddened = stored | {"lane": "red", "verdict": "likely_counterfeit"}
        conn.execute(update(table).where(table.c.id == screened["id"]).values(result=reddened))
    edited = cli_run("audit", "verify")
    with database.engine.begin() as conn:  # and cover it with a forged redaction digest
        entry = decision_log.entry_for(conn, kind="screening", record_id=screened["id"])
        assert entry is not None
        forged = decision_log.current_digest(
            conn, kind="screening", record_id=screened["id"], scheme=entry["scheme"]
        )
        conn.execute(
            update(Redaction.__table__)  # type: ignore[arg-type]
            .where(Redaction.__table__.c.record_id == screened["id"])  # type: ignore[attr-defined]
            .values(digest_after=forged)
        )
    covered = cli_run("audit", "verify")

    assert edited.exit_code == 1
    assert f"(screening {screened['id']})" in edited.output
    assert "edited" in edited.output
    assert covered.exit_code == 1
    assert "(redaction " in covered.output
    assert "edited" in covered.output


def test_a_record_edited_before_the_purge_is_refused_not_laundered(
    screened: dict[str, Any], database: Database, settings: Settings, cli_run: Any
) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE screening_outcome SET outcome = 'genuine'"))
    report = _purge_later(database, settings)
    verified = cli_run("audit", "verify")

    assert report.redacted == {"screening": 1}
    assert [kind for kind, _ in report.refused] == ["outcome"]
    assert verified.exit_code == 1
    assert "(outcome " in verified.output


def test_purge_deletes_an_old_check_photo_and_its_text(
    client: TestClient, make_key: KeyFactory, database: Database, settings: Settings
) -> None:
    officer = make_key("officer", name="port officer")
    files = {"photo": ("item.jpg", jpeg(phone_photo(3)), "image/jpeg")}
    made = client.post("/v1/checks", headers=officer, data={"text": "to J. Kowalski"}, files=files)
    assert made.status_code == 201, made.text
    with database.session(write=False) as session:
        check = session.get(OfficerCheck, made.json()["id"])
        assert check is not None
        assert check.photo_sha256 is not None
        sha256 = check.photo_sha256
    blobs = BlobStore(settings.blob_dir)
    assert blobs.exists(sha256)

    report = _purge_later(database, settings)
    with database.session(write=False) as session:
        after = session.get(OfficerCheck, made.json()["id"])
        logged = session.scalar(select(func.count()).select_from(decision_log.ENTRY))

    assert report.redacted.get("check") == 1
    assert report.blobs_deleted == 1
    assert not blobs.exists(sha256)
    assert after is not None
    assert (after.text, after.photo_sha256) == (None, None)
    assert client.get(f"/v1/checks/{made.json()['id']}", headers=officer).status_code == 200
    assert logged is not None
    assert logged >= 2


def test_old_clear_names_are_scrubbed_from_sentences() -> None:
    """Rows stored before pseudonymisation hold names, and their sentences quote them."""
    row = {
        "request": {"importer": "Jan Kowalski", "exporter": None, "consignee": None},
        "result": {"signals": [{"detail": 'importer "Jan Kowalski" is not the importer Nike '
                                          "authorised"}]},
    }  # fmt: skip
    changes, removed = _screening(row)

    assert changes["request"]["importer"] is None
    assert "Kowalski" not in str(changes["result"])
    assert "[withheld]" in str(changes["result"])
    assert removed == ["request.importer", "result (party names in sentences)"]


def test_the_purge_command_keeps_records_younger_than_the_retention(
    screened: dict[str, Any], database: Database, cli_run: Any
) -> None:
    purged = cli_run("purge", "--older-than", "30")
    refused = cli_run("purge", "--older-than", "0")
    verified = cli_run("audit", "verify")
    with database.session(write=False) as session:
        screening = session.get(Screening, screened["id"])
    assert screening is not None

    assert purged.exit_code == 0, purged.output
    assert "nothing to remove" in purged.output
    assert refused.exit_code == 2  # a retention of 0 days is refused, not "purge everything"
    assert screening.request["importer"] is not None
    assert verified.exit_code == 0, verified.output
