"""Capacity-aware lanes: thresholds from the recent risks, a reproducible random control share."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import col
from typer.testing import CliRunner

from api.cli.main import app as cli
from catalog.core.db import Database
from catalog.core.settings import Settings, pseudonym_secret
from catalog.learning.capacity import FLOOR, lane_thresholds, quantile, random_selected
from catalog.models import AuditEvent, Screening
from catalog.screening.rescore import rescore_as_recorded
from catalog.screening.thresholds import current_settings
from tests.api.helpers import register
from tests.conftest import HolderFactory, KeyFactory


def test_quantile_and_thresholds_follow_the_shares() -> None:
    risks = [i / 100 for i in range(100)]  # 0.00 ... 0.99
    assert quantile(risks, 0.95) == 0.94
    yellow, red = lane_thresholds(risks, red_share=0.05, yellow_share=0.10)
    assert (yellow, red) == (0.84, 0.94)
    assert sum(r >= red for r in risks) == 6  # 5% of traffic plus the item at the cut
    assert sum(yellow <= r < red for r in risks) == 10
    # little risk about: the teams get fewer items, never riskless ones
    assert lane_thresholds([0.0] * 99 + [0.5], red_share=0.1, yellow_share=0.2) == (FLOOR, FLOOR)


def test_random_selection_is_reproducible_and_near_its_share() -> None:
    ids = [f"id-{i}" for i in range(4000)]
    chosen = [random_selected(b"k", i, 0.1) for i in ids]
    assert chosen == [random_selected(b"k", i, 0.1) for i in ids]
    assert 0.085 < sum(chosen) / len(ids) < 0.115
    assert chosen != [random_selected(b"other key", i, 0.1) for i in ids]
    assert not any(random_selected(b"k", i, 0.0) for i in ids)


def _item(i: int) -> dict[str, Any]:
    cheap = i % 4 == 0
    return {
        "reference": f"C-{i}",
        "description": "nike air zoom pegasus 40 running shoe",
        "brand": "Nike",
        "quantity": 1 + i % 3,
        "origin_country": "CN" if cheap else "VN",
        "unit_value": {"amount": 15.0 + i % 7 if cheap else 125.0 + i % 11, "currency": "EUR"},
    }


def test_capacity_lanes_and_random_share_end_to_end(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    database: Database,
    env: dict[str, str],
    admin_headers: dict[str, str],
    settings: Settings,
) -> None:
    _, holder = make_holder("Nike")
    register(client, holder)
    customs = make_key("customs")
    runner = CliRunner()
    too_early = runner.invoke(cli, ["lanes", "recompute"], env=env)
    assert too_early.exit_code == 1
    assert "set red_share and yellow_share" in too_early.output
    assert runner.invoke(cli, ["lanes", "set", "--red-share", "1.5"], env=env).exit_code == 1
    made = runner.invoke(
        cli,
        ["lanes", "set", "--red-share", "0.1", "--yellow-share", "0.15", "--random-share", "0.3"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    batch = client.post(
        "/v1/screenings/batch", headers=customs, json={"items": [_item(i) for i in range(120)]}
    )
    assert batch.status_code == 200, batch.text
    results = [entry["result"] for entry in batch.json()["results"]]
    selected = [r for r in results if r.get("random_selection")]
    plain = [r for r in results if not r.get("random_selection")]
    assert 15 <= len(selected) <= 60  # about 30% of the ~90 green ones
    assert {r["lane"] for r in selected} == {"yellow"}
    assert all(r["verdict"] == "likely_genuine" for r in selected)
    assert {r["lane"] for r in plain if r["verdict"] == "likely_genuine"} == {"green"}
    # the same choice however often it is asked
    key = b"test-pseudonym-key"
    assert all(random_selected(key, r["id"], 0.3) for r in selected)
    assert not any(random_selected(key, r["id"], 0.3) for r in plain if r["lane"] == "green")
    with database.session(write=False) as session:
        stored = session.get(Screening, selected[0]["id"])
        assert stored is not None
        assert stored.thresholds["random_share"] == 0.3
    as_recorded, _ = rescore_as_recorded(
        engine=database.engine,
        screening_id=selected[0]["id"],
        pseudonym_key=pseudonym_secret(settings),
    )
    assert as_recorded.identical, as_recorded.differences

    recorded = client.post(
        f"/v1/screenings/{selected[0]['id']}/outcome", headers=customs, json={"outcome": "genuine"}
    )
    assert recorded.status_code == 200
    stats = client.get("/v1/stats", headers=admin_headers).json()
    assert stats["random_selection"]["screenings"] == len(selected)
    assert stats["random_selection"]["outcomes"] == 1
    assert stats["random_selection"]["counterfeits"] == 0

    recomputed = runner.invoke(cli, ["lanes", "recompute"], env=env)
    assert recomputed.exit_code == 0, recomputed.output
    with database.session(write=False) as session:
        snapshot = current_settings(session)
        actions = list(session.execute(select(col(AuditEvent.action))).scalars())
    risks = sorted((r["risk"] for r in results), reverse=True)
    red, yellow = snapshot.thresholds.red, snapshot.thresholds.yellow
    assert (yellow, red) == lane_thresholds(risks, red_share=0.1, yellow_share=0.15)
    assert sum(r >= red for r in risks) >= 12  # at least the top 10% of traffic
    assert yellow <= red
    assert actions.count("settings.capacity") == 1
    assert actions[-1] == "settings.scoring.update"
    after = client.post("/v1/screenings", headers=customs, json=_item(0)).json()
    assert after["settings_version"] == snapshot.version
    with database.session(write=False) as session:
        stored = session.get(Screening, after["id"])
        assert stored is not None
        assert (stored.thresholds["yellow"], stored.thresholds["red"]) == (yellow, red)
