"""Registrations that expire: a past `valid_until` is refused, those about to expire are listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col

from catalog.core.db import Database
from catalog.models import Product
from tests.api.helpers import product_body
from tests.conftest import HolderFactory

TODAY = datetime.now(UTC).date()


def test_a_past_valid_until_is_refused_at_registration_update_and_import(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, nike = make_holder("Nike")
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    refused = client.post("/v1/products", headers=nike, json=product_body(valid_until=yesterday))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["loc"] == ["body", "valid_until"]
    today = client.post(
        "/v1/products", headers=nike, json=product_body(2, valid_until=TODAY.isoformat())
    )
    assert today.status_code == 201
    patched = client.patch(
        f"/v1/products/{today.json()['id']}", headers=nike, json={"valid_until": yesterday}
    )
    assert patched.status_code == 422
    rows = f'{{"brand": "Nike", "name": "Old", "valid_until": "{yesterday}"}}\n'
    rows += '{"brand": "Nike", "name": "Current"}\n'
    imported = client.post(
        "/v1/products/import",
        headers={**nike, "Content-Type": "application/x-ndjson"},
        content=rows.encode(),
    )
    body = imported.json()
    assert (body["imported"], body["failed"]) == (1, 1), body
    assert [e["line"] for e in body["errors"]] == [1]
    assert "past" in body["errors"][0]["reason"]


def test_expiring_within_days_lists_only_those_about_to_expire(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, nike = make_holder("Nike")
    ids = {}
    for n, days in ((1, 5), (2, 30), (3, 31), (4, None)):
        until = (TODAY + timedelta(days=days)).isoformat() if days is not None else None
        created = client.post("/v1/products", headers=nike, json=product_body(n, valid_until=until))
        assert created.status_code == 201, created.text
        ids[days] = created.json()["id"]
    page = client.get("/v1/products", headers=nike, params={"expiring_within_days": 30}).json()
    assert [p["id"] for p in page["items"]] == [ids[5], ids[30]]
    assert len(client.get("/v1/products", headers=nike).json()["items"]) == 4
    bad = client.get("/v1/products", headers=nike, params={"expiring_within_days": -1})
    assert bad.status_code == 422


def test_status_shows_a_registration_that_has_expired(
    client: TestClient, make_holder: HolderFactory, database: Database
) -> None:
    _, nike = make_holder("Nike")
    created = client.post("/v1/products", headers=nike, json=product_body(1, valid_until=None))
    assert created.status_code == 201, created.text
    assert created.json()["expired"] is False
    product_id = created.json()["id"]
    with database.session() as session:  # time passes: the registration lapses
        session.execute(
            update(Product)
            .where(col(Product.id) == product_id)
            .values(valid_until=TODAY - timedelta(days=1))
        )
    read = client.get(f"/v1/products/{product_id}", headers=nike).json()
    assert (read["status"], read["expired"]) == ("active", True)
