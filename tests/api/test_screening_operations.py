"""Exchange rates, scoring settings, alerts and rescoring around the screening endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from catalog.core.db import Database
from catalog.core.settings import Settings, pseudonym_secret
from catalog.models import AuditEvent
from catalog.screening.rescore import rescore
from tests.api.helpers import SHOE, register
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

CHEAP_SHOES = {
    "description": "nike air zoom pegasus 40 running shoe",
    "brand": "Nike",
    "quantity": 1,
    "unit_value": {"amount": 10.0, "currency": "USD"},
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has finished loading its index."""
    with screening_client(settings) as test_client:
        yield test_client


def _signals(result: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["detail"] for s in result["matches"][0]["signals"]}


def test_price_uses_the_rate_valid_on_the_declaration_date(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    admin_headers: dict[str, str],
) -> None:
    _, holder = make_holder("Nike")
    register(client, holder)
    customs = make_key("customs")
    rates = {
        "source": "monthly customs rates",
        "rates": [
            {"currency": "USD", "quote": "EUR", "rate": 0.5,
             "valid_from": "2026-10-01", "valid_to": "2026-10-31"},
            {"currency": "USD", "quote": "EUR", "rate": 0.9,
             "valid_from": "2026-11-01", "valid_to": "2026-11-30"},
        ],
    }  # fmt: skip
    assert client.post("/v1/fx-rates", headers=customs, json=rates).status_code == 403
    loaded = client.post("/v1/fx-rates", headers=admin_headers, json=rates)
    assert loaded.status_code == 201
    assert loaded.json()["stored"] == 2

    def screen(day: str) -> dict[str, str]:
        body = {**CHEAP_SHOES, "declared_on": day}
        return _signals(client.post("/v1/screenings", headers=customs, json=body).json())

    october, november, december = screen("2026-10-10"), screen("2026-11-10"), screen("2026-12-10")
    assert "5.00 EUR" in next(d for n, d in october.items() if n.startswith("price_"))
    assert "9.00 EUR" in next(d for n, d in november.items() if n.startswith("price_"))
    assert "price_unavailable" in december
    bad = {"rates": [{"currency": "USD", "rate": 1, "valid_from": "2026-11-02",
                      "valid_to": "2026-11-01"}]}  # fmt: skip
    assert client.post("/v1/fx-rates", headers=admin_headers, json=bad).status_code == 422


def test_thresholds_are_versioned_audited_and_applied(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    _, holder = make_holder("Nike")
    register(client, holder)
    customs = make_key("customs")
    default = client.get("/v1/settings/scoring", headers=admin_headers).json()
    before = client.post("/v1/screenings", headers=customs, json=CHEAP_SHOES).json()

    changed = client.put(
        "/v1/settings/scoring", headers=admin_headers, json={"yellow": 0.0, "red": 0.0}
    )
    after = client.post("/v1/screenings", headers=customs, json=CHEAP_SHOES).json()

    assert default["version"] == 0
    assert changed.status_code == 200
    assert changed.json()["version"] == 1
    assert changed.json()["thresholds"]["red"] == 0.0
    assert after["lane"] == "red"
    assert after["settings_version"] == 1
    assert before["settings_version"] == 0
    assert (
        client.put(
            "/v1/settings/scoring", headers=customs, json={"yellow": 0.1, "red": 0.2}
        ).status_code
        == 403
    )
    assert (
        client.put(
            "/v1/settings/scoring", headers=admin_headers, json={"yellow": 0.9, "red": 0.1}
        ).status_code
        == 422
    )
    with database.session(write=False) as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
    assert "settings.scoring.update" in actions


def test_alerts_show_a_holder_only_its_own_products(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    admin_headers: dict[str, str],
) -> None:
    nike_id, nike = make_holder("Nike")
    _, lego = make_holder("LEGO")
    register(client, nike)
    register(client, lego, brand="LEGO", name="Millennium Falcon building set", model="75192",
             gtins=["5702015869935"], hs_codes=["950300"])  # fmt: skip
    customs = make_key("customs")
    for _ in range(3):
        client.post("/v1/screenings", headers=customs,
                    json={**CHEAP_SHOES, "importer": "Private Person GmbH"})  # fmt: skip

    # These screenings are green (no exchange rate, so no price evidence): ask for every lane.
    lanes = ["green", "yellow", "red"]
    page = client.get("/v1/alerts", headers=nike, params={"limit": 2, "lane": lanes}).json()
    rest = client.get(
        "/v1/alerts", headers=nike, params={"cursor": page["next_cursor"], "lane": lanes}
    ).json()
    lego_alerts = client.get("/v1/alerts", headers=lego, params={"lane": lanes}).json()

    assert len(page["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert lego_alerts["items"] == []
    alert = page["items"][0]
    assert alert["product_brand"] == "Nike"
    assert "Private Person" not in str(page)
    assert {"risk", "lane", "signals", "screened_at"} <= set(alert)
    assert client.get("/v1/alerts", headers=customs).status_code == 403
    assert client.get("/v1/alerts", headers=admin_headers).status_code == 422
    admin_view = client.get(
        "/v1/alerts", headers=admin_headers, params={"rights_holder_id": nike_id, "lane": lanes}
    )
    assert len(admin_view.json()["items"]) == 3


def test_rescore_reproduces_then_shows_what_changed(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    database: Database,
    settings: Settings,
) -> None:
    key = pseudonym_secret(settings)
    _, holder = make_holder("Nike")
    product_id = register(client, holder)
    created = client.post("/v1/screenings", headers=make_key("customs"), json=CHEAP_SHOES).json()

    same = rescore(engine=database.engine, screening_id=created["id"], pseudonym_key=key)
    cheaper = {"price": {"min": 5.0, "max": 12.0, "currency": "USD"}}
    patched = client.patch(f"/v1/products/{product_id}", headers=holder, json=cheaper)
    assert patched.status_code == 200, patched.text
    moved = rescore(engine=database.engine, screening_id=created["id"], pseudonym_key=key)

    assert same.identical
    assert same.versions_changed == []
    assert not moved.identical
    assert moved.versions_changed == ["catalog_version"]
    assert any("signals" in line or "risk" in line for line in moved.differences)
    assert SHOE["brand"] == "Nike"


def test_rescore_command_line(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    settings: Settings,
) -> None:
    from typer.testing import CliRunner

    from api.cli.main import app as cli

    _, holder = make_holder("Nike")
    product_id = register(client, holder)
    created = client.post("/v1/screenings", headers=make_key("customs"), json=CHEAP_SHOES).json()
    env = {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }
    runner = CliRunner()

    same = runner.invoke(cli, ["rescore", created["id"]], env=env)
    cheaper = {"price": {"min": 5.0, "max": 12.0, "currency": "USD"}}
    client.patch(f"/v1/products/{product_id}", headers=holder, json=cheaper)
    moved = runner.invoke(cli, ["rescore", created["id"]], env=env)
    missing = runner.invoke(cli, ["rescore", "no-such-id"], env=env)

    assert same.exit_code == 0, same.output
    assert "reproduced exactly" in same.output
    # Reproduced against the catalogue as it was (exit 0); today's differences still listed.
    assert moved.exit_code == 0, moved.output
    assert "reproduced exactly" in moved.output
    assert "catalog_version" in moved.output
    assert "(changed)" in moved.output
    assert "today:" in moved.output
    assert missing.exit_code == 2
