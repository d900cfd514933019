"""A look-alike of a brand, with no product identified, alerts the brand's owner (list, webhook)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.test_webhooks import (
    PEGASUS,
    delivered,
    loopback_settings,
    subscribe,
    until,
    valid,
)
from tests.api.webhook_receiver import receiver
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

LOOKALIKE = {
    "reference": "LA-1",
    "description": "Naike sports trainers, assorted sizes",
    "brand": "Naike",
    "hs_code": "640411",
    "quantity": 600,
    "origin_country": "CN",
    "unit_value": {"amount": 6.0, "currency": "EUR"},
    "importer": "Jan Kowalski Trading",
}


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The service with webhooks to loopback receivers, once its index is loaded."""
    with screening_client(loopback_settings(database_url, tmp_path)) as test_client:
        yield test_client


def test_lookalike_without_a_product_alerts_the_brand_owner(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    _, nike = make_holder("Nike")
    _, lego = make_holder("LEGO")
    assert client.post("/v1/products", headers=nike, json=PEGASUS).status_code == 201
    customs = make_key("customs")
    with receiver() as (url, received):
        created = subscribe(client, nike, url, min_lane="yellow")
        result = client.post("/v1/screenings", headers=customs, json=LOOKALIKE).json()
        assert result["matches"] == [], result  # no product identified
        assert result["lane"] in ("yellow", "red"), result
        [finding] = [s for s in result["signals"] if s["name"] == "brand_lookalike"]
        assert finding["evidence"]["brand"] == "Nike"

        [alert] = client.get("/v1/alerts", headers=nike).json()["items"]
        assert alert["screening_id"] == result["id"]
        assert alert["product_id"] is None
        assert alert["product_brand"] == "Nike"
        assert alert["lane"] == result["lane"]
        assert "brand_lookalike" in {s["name"] for s in alert["signals"]}
        assert "Kowalski" not in json.dumps(alert)
        assert client.get("/v1/alerts", headers=lego).json()["items"] == []

        [delivery] = until(lambda: delivered(client, nike, "screening.alert"))
        headers, body = received.requests[0]
        assert valid(created["secret"], headers["Countermark-Signature"], body)
        data = json.loads(body)["data"]
        assert delivery["screening_id"] == data["screening_id"] == result["id"]
        assert (data["product_id"], data["product_brand"]) == (None, "Nike")
        assert "Kowalski" not in body.decode()

        outcome = client.post(
            f"/v1/screenings/{result['id']}/outcome",
            headers=customs,
            json={"outcome": "counterfeit"},
        )
        assert outcome.status_code == 200, outcome.text
        until(lambda: delivered(client, nike, "screening.outcome"))
        [alert] = client.get("/v1/alerts", headers=nike).json()["items"]
        assert alert["outcome"]["outcome"] == "counterfeit"
    stats = client.get("/v1/stats", headers=make_key("admin")).json()
    [holder] = [h for h in stats["by_rights_holder"] if h["name"] == "Nike"]
    assert (holder["screenings"], holder["counterfeits"]) == (1, 1)
    assert stats["by_product"] == []  # no product was named


def test_a_product_match_alerts_as_before(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    _, nike = make_holder("Nike")
    product = client.post("/v1/products", headers=nike, json=PEGASUS).json()["id"]
    cheap = {
        "description": "nike air zoom pegasus 40 running shoe",
        "brand": "Nike",
        "origin_country": "CN",
        "unit_value": {"amount": 9.0, "currency": "EUR"},
    }
    result = client.post("/v1/screenings", headers=make_key("customs"), json=cheap).json()
    assert result["matches"][0]["product_id"] == product
    [alert] = client.get("/v1/alerts", headers=nike).json()["items"]
    assert alert["product_id"] == product
    assert alert["product_name"] == PEGASUS["name"]
