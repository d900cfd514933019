"""Webhooks end to end: a real receiver on 127.0.0.1 gets signed alerts, retries, follow-ups."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalog.core.settings import Settings
from tests.api.helpers import SUSPECT
from tests.api.webhook_receiver import receiver
from tests.conftest import HolderFactory, KeyFactory, TestSettings
from tests.e2e.kit import screening_client

PEGASUS = {
    "brand": "Nike", "name": "Air Zoom Pegasus 40 running shoe", "model": "DV3853-001",
    "hs_codes": ["640411"], "price": {"min": 120.0, "max": 160.0, "currency": "EUR"},
    "authorized_origins": ["VN", "ID"], "authorized_importers": ["Nike Europe BV"],
    "authorized_exporters": ["Nike Vietnam Ltd"],
}  # fmt: skip


def loopback_settings(database_url: str, tmp_path: Path) -> Settings:
    """Loopback http receivers allowed, quick polling and a short first retry delay."""
    return TestSettings(
        data_dir=tmp_path / "data", database_url=database_url, image_workers=0,
        webhook_allow_http=True, webhook_allow_private=True, webhook_poll_seconds=0.05,
        webhook_backoff_seconds=0.2, webhook_timeout_seconds=5.0,
    )  # fmt: skip


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings under which webhooks reach a receiver on this machine at once."""
    return loopback_settings(database_url, tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


def until(check: Callable[[], Any], *, seconds: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def valid(secret: str, header: str, body: bytes) -> bool:
    """Verify a signature as the README tells receivers to."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return abs(time.time() - int(parts["t"])) < 300 and hmac.compare_digest(
        expected.hexdigest(), parts["v1"]
    )


def delivered(client: TestClient, headers: dict[str, str], kind: str) -> Any:
    """The delivered deliveries of one event type."""
    items = client.get("/v1/webhooks/deliveries", headers=headers).json()["items"]
    return [d for d in items if d["event_type"] == kind and d["state"] == "delivered"]


def subscribe(client: TestClient, headers: dict[str, str], url: str, **level: Any) -> Any:
    """Register a webhook; its creation response."""
    response = client.post("/v1/webhooks", headers=headers, json={"url": url, **level})
    assert response.status_code == 201, response.text
    return response.json()


def test_signed_alert_is_retried_then_followed_by_the_outcome(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    _, nike = make_holder("Nike")
    customs = make_key("customs")
    product = client.post("/v1/products", headers=nike, json=PEGASUS).json()["id"]
    with receiver(fail_first=1) as (url, received):
        created = subscribe(client, nike, url, min_lane="yellow")
        result = client.post("/v1/screenings", headers=customs, json=SUSPECT).json()
        assert result["lane"] in ("yellow", "red"), result

        [alert] = until(lambda: delivered(client, nike, "screening.alert"))
        assert alert["attempts"] == 2
        assert alert["last_status"] == 204
        assert len(received.requests) == 2
        (_, first_body), (headers, body) = received.requests
        assert first_body == body  # the retry sends the same event
        assert valid(created["secret"], headers["Countermark-Signature"], body)
        assert not valid("whsec_other", headers["Countermark-Signature"], body)
        event = json.loads(body)
        assert event["type"] == "screening.alert"
        assert event["id"] == alert["id"] == headers["Countermark-Delivery"]
        assert event["data"]["screening_id"] == result["id"]
        assert event["data"]["product_id"] == product
        assert event["data"]["lane"] == result["lane"]
        assert set(event["data"]) == {
            "screening_id", "product_id", "product_brand", "product_name", "risk",
            "similarity", "verdict", "lane", "signals", "screened_at",
        }  # fmt: skip
        for name in ("Kowalski", "Shenzhen"):  # the declared parties' names
            assert name not in body.decode(), name

        outcome = client.post(
            f"/v1/screenings/{result['id']}/outcome",
            headers=make_key("officer", client_of=customs),
            json={"outcome": "counterfeit", "note": "stitched by Jan Kowalski"},
        )
        assert outcome.status_code == 200, outcome.text
        [follow] = until(lambda: delivered(client, nike, "screening.outcome"))
        _, follow_body = received.requests[-1]
        assert json.loads(follow_body)["data"] == {
            "screening_id": result["id"], "product_id": product, "outcome": "counterfeit",
            "recorded_at": json.loads(follow_body)["data"]["recorded_at"],
        }  # fmt: skip
        assert "Kowalski" not in follow_body.decode()
        assert follow["attempts"] == 1


def test_level_above_the_screening_sends_nothing(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    _, nike = make_holder("Nike")
    client.post("/v1/products", headers=nike, json=PEGASUS)
    with receiver() as (url, received):
        subscribe(client, nike, url, min_risk=1.0)
        green = {"description": "nike air zoom pegasus 40 running shoe", "brand": "Nike"}
        client.post("/v1/screenings", headers=make_key("customs"), json=green)
        client.post("/v1/screenings", headers=make_key("customs"), json=SUSPECT)
        time.sleep(0.5)  # several sender rounds
        assert received.requests == []
    assert client.get("/v1/webhooks/deliveries", headers=nike).json()["items"] == []


def test_subscriptions_are_the_holders_own(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    _, nike = make_holder("Nike")
    _, lego = make_holder("LEGO")
    created = subscribe(client, nike, "http://127.0.0.1:9/hooks")
    assert created["secret"].startswith("whsec_")
    assert created["min_lane"] == "yellow"  # the default level
    listed = client.get("/v1/webhooks", headers=nike).json()["items"]
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert client.get("/v1/webhooks", headers=lego).json()["items"] == []
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=lego).status_code == 404
    assert client.get("/v1/webhooks", headers=make_key("customs")).status_code == 403
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=nike).status_code == 204
    assert client.get("/v1/webhooks", headers=nike).json()["items"] == []
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=nike).status_code == 404


def test_bad_subscriptions_are_problems(client: TestClient, make_holder: HolderFactory) -> None:
    _, nike = make_holder("Nike")
    for body in (
        {"url": "ftp://example.com/x"},
        {"url": "https://user:pw@127.0.0.1/x"},
        {"url": "http://127.0.0.1/x", "min_risk": 2},
        {"url": "http://127.0.0.1/x", "min_lane": "blue"},
        {"url": "http://127.0.0.1/x", "extra": 1},
    ):
        response = client.post("/v1/webhooks", headers=nike, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")


def test_operator_policy_refuses_http_and_private_hosts(
    database_url: str, tmp_path: Path, make_holder: HolderFactory
) -> None:
    strict = TestSettings(data_dir=tmp_path / "strict", database_url=database_url, image_workers=0)
    _, nike = make_holder("Nike")
    with TestClient(create_app(strict), raise_server_exceptions=False) as strict_client:
        for url in (
            "http://93.184.216.34/hooks",
            "https://127.0.0.1/hooks",
            "https://10.1.2.3/hooks",
            "https://[::1]/hooks",
            "https://localhost/hooks",
        ):
            response = strict_client.post("/v1/webhooks", headers=nike, json={"url": url})
            assert response.status_code == 422, url
            assert response.json()["type"].endswith("webhook-url-refused")
        public = strict_client.post(
            "/v1/webhooks", headers=nike, json={"url": "https://93.184.216.34/hooks"}
        )
        assert public.status_code == 201
