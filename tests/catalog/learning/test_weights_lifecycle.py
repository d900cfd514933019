"""Calibrate, shadow, activate and rescore, end to end through the CLI and the live service."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import col
from typer.testing import CliRunner

from api.cli.main import app as cli
from catalog.core.db import Database
from catalog.core.settings import Settings, pseudonym_secret
from catalog.learning.calibrate import example_of
from catalog.learning.store import weights_from_json, weights_to_json
from catalog.models import AuditEvent, Screening, ShadowScore, WeightsVersion
from catalog.screening.rescore import rescore_as_recorded
from matchers.weights import DEFAULT_WEIGHTS
from tests.api.helpers import register
from tests.conftest import HolderFactory, KeyFactory


def _declaration(i: int) -> dict[str, Any]:
    """Shoes declared cheap from an unauthorised origin (every other one) or plausibly."""
    cheap = i % 2 == 0
    return {
        "reference": f"L-{i}",
        "description": "nike air zoom pegasus 40 running shoe",
        "brand": "Nike",
        "quantity": 1 + i % 7,
        "origin_country": "CN" if cheap else "VN",
        "unit_value": {"amount": 20.0 + i % 5 if cheap else 130.0 + i % 9, "currency": "EUR"},
    }


def _screen(client: TestClient, headers: dict[str, str], i: int) -> dict[str, Any]:
    response = client.post("/v1/screenings", headers=headers, json=_declaration(i))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _wait_for_shadow(database: Database, *, count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with database.engine.connect() as conn:
            done = conn.execute(select(func.count()).select_from(ShadowScore)).scalar_one()
        if done >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{done} of {count} shadow scores stored")


def test_calibrate_shadow_activate_and_rescore(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    database: Database,
    env: dict[str, str],
    settings: Settings,
) -> None:
    _, holder = make_holder("Nike")
    register(client, holder)
    customs = make_key("customs")
    first = [_screen(client, customs, i) for i in range(60)]
    assert {s["weights_version"] for s in first} == {DEFAULT_WEIGHTS.version}
    for i, screening in enumerate(first):
        # the truth follows the declaration; one outcome in ten is recorded wrongly
        counterfeit = (i % 2 == 0) != (i % 10 == 3)
        outcome = "counterfeit" if counterfeit else "genuine"
        recorded = client.post(
            f"/v1/screenings/{screening['id']}/outcome", headers=customs, json={"outcome": outcome}
        )
        assert recorded.status_code == 200, recorded.text
    runner = CliRunner()

    fitted = runner.invoke(cli, ["calibrate"], env=env)
    assert fitted.exit_code == 0, fitted.output
    version = fitted.output.strip().splitlines()[-1]
    assert version != DEFAULT_WEIGHTS.version
    assert "AUC    before" in fitted.output
    assert "Brier  before" in fitted.output
    assert "reliability after" in fitted.output
    with database.session(write=False) as session:
        row = session.get(WeightsVersion, version)
        assert row is not None
        assert row.status == "candidate"
        assert row.report is not None
        assert row.report["held_out"] > 0

    shadowed = runner.invoke(cli, ["weights", "shadow", version], env=env)
    assert shadowed.exit_code == 0, shadowed.output
    during = [_screen(client, customs, i) for i in range(60, 70)]
    assert {s["weights_version"] for s in during} == {DEFAULT_WEIGHTS.version}
    _wait_for_shadow(database, count=10)
    report = runner.invoke(cli, ["weights", "shadow"], env=env)
    assert report.exit_code == 0, report.output
    assert f"weights {version}: 10 live screenings scored in shadow" in report.output
    with database.engine.connect() as conn:
        lanes = dict(
            conn.execute(select(col(ShadowScore.screening_id), col(ShadowScore.live_lane))).all()
        )
    assert lanes == {s["id"]: s["lane"] for s in during}

    activated = runner.invoke(cli, ["weights", "activate", version], env=env)
    assert activated.exit_code == 0, activated.output
    after = _screen(client, customs, 0)
    assert after["weights_version"] == version
    with database.session(write=False) as session:
        actions = session.execute(
            select(col(AuditEvent.action)).where(col(AuditEvent.action).like("weights.%"))
        ).scalars()
        assert list(actions) == ["weights.shadow", "weights.activate"]
        statuses = dict(
            session.execute(select(col(WeightsVersion.version), col(WeightsVersion.status))).all()
        )
        assert statuses[version] == "active"
    listed = runner.invoke(cli, ["weights", "list"], env=env)
    assert f"* {version}" in listed.output

    # an old screening is reproduced under its own (shipped) weights, the new one under its own
    as_recorded, _ = rescore_as_recorded(
        engine=database.engine,
        screening_id=first[0]["id"],
        pseudonym_key=pseudonym_secret(settings),
    )
    assert as_recorded.identical, as_recorded.differences
    assert as_recorded.versions["weights_version"] == (DEFAULT_WEIGHTS.version,) * 2
    newer, _ = rescore_as_recorded(
        engine=database.engine, screening_id=after["id"], pseudonym_key=pseudonym_secret(settings)
    )
    assert newer.identical, newer.differences
    assert runner.invoke(cli, ["rescore", first[0]["id"]], env=env).exit_code == 0


def test_calibrate_refuses_too_few_outcomes(env: dict[str, str], database: Database) -> None:
    result = CliRunner().invoke(cli, ["calibrate"], env=env)
    assert result.exit_code == 1
    assert "calibration needs at least 30" in result.output


def test_activate_unknown_version_fails(env: dict[str, str], database: Database) -> None:
    result = CliRunner().invoke(cli, ["weights", "activate", "1999-01-01.1"], env=env)
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_a_fit_example_holds_the_riskiest_matchs_own_findings(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory, database: Database
) -> None:
    # the top-level signals of a result are only the declaration-level ones: the values
    # the fit needs (price, origin, ...) are the riskiest match's
    _, holder = make_holder("Nike")
    register(client, holder)
    cheap = _screen(client, make_key("customs"), 0)
    with database.session(write=False) as session:
        stored = session.get(Screening, cheap["id"])
        assert stored is not None
        example = example_of(stored, 1.0, DEFAULT_WEIGHTS, 0.0)

    assert {s["name"] for s in cheap["signals"]}.isdisjoint({"price_far_below_range"})
    assert example is not None
    assert example.values["price_far_below_range"] > 0
    assert example.values["origin_unauthorized"] == 1.0


def test_stored_weights_keep_their_identity_model_and_older_ones_take_the_shipped_one() -> None:
    stored = weights_to_json(DEFAULT_WEIGHTS)
    assert stored["identity_bias"] == DEFAULT_WEIGHTS.identity_bias
    assert weights_from_json(stored) == DEFAULT_WEIGHTS
    # a version stored before identity was a log-odds model holds noisy-OR strengths
    older = {k: v for k, v in stored.items() if k != "identity_bias"}
    older |= {"version": "2026-11-30.1", "bias": -2.5, "identity": {"text_similarity": 1.0}}
    loaded = weights_from_json(older)
    assert loaded.identity == DEFAULT_WEIGHTS.identity
    assert loaded.identity_bias == DEFAULT_WEIGHTS.identity_bias
    assert loaded.bias == -2.5  # the fitted suspicion model is kept
