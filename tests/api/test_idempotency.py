"""Idempotency-Key on POST: replay, mismatch, scope per API key, multipart retries."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from catalog.access import idempotency
from catalog.core.db import Database
from tests.api.helpers import jpeg_bytes, product_body
from tests.conftest import HolderFactory


def _count(client: TestClient, headers: dict[str, str]) -> int:
    return len(client.get("/v1/products?status=all", headers=headers).json()["items"])


def test_same_key_and_body_replays_the_stored_response(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    keyed = headers | {"Idempotency-Key": "order-1"}
    first = client.post("/v1/products", json=product_body(), headers=keyed)
    second = client.post("/v1/products", json=product_body(), headers=keyed)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert _count(client, headers) == 1


def test_same_key_with_another_body_is_422(client: TestClient, make_holder: HolderFactory) -> None:
    _, headers = make_holder("Nike Inc.")
    keyed = headers | {"Idempotency-Key": "order-2"}
    assert client.post("/v1/products", json=product_body(1), headers=keyed).status_code == 201
    other = client.post("/v1/products", json=product_body(2), headers=keyed)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"].endswith("idempotency-key-reused")
    assert _count(client, headers) == 1


def test_keys_are_scoped_per_api_key(client: TestClient, make_holder: HolderFactory) -> None:
    _, first = make_holder("Nike Inc.")
    _, second = make_holder("Adidas AG")
    # Each holder registers its own brand and GTIN (a brand or GTIN has one owner).
    for n, headers in enumerate((first, second), start=1):
        body = product_body(n, brand=f"Brand {n}")
        response = client.post(
            "/v1/products", json=body, headers=headers | {"Idempotency-Key": "same"}
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert _count(client, first) == _count(client, second) == 1


def test_errors_are_replayed_too_but_not_auth_failures(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    keyed = headers | {"Idempotency-Key": "bad-1"}
    first = client.post("/v1/products", json={"brand": "x"}, headers=keyed)
    again = client.post("/v1/products", json={"brand": "x"}, headers=keyed)
    assert first.status_code == again.status_code == 422
    assert again.headers.get("idempotent-replayed") == "true"
    stranger = {"Authorization": "Bearer cm_000000000000_" + "y" * 43, "Idempotency-Key": "k"}
    assert client.post("/v1/products", json=product_body(), headers=stranger).status_code == 401
    assert client.post("/v1/products", json=product_body(), headers=stranger).status_code == 401


def test_a_retried_upload_with_a_new_multipart_boundary_is_replayed(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    product = client.post("/v1/products", json=product_body(), headers=headers).json()
    data = jpeg_bytes()
    responses = [
        client.post(
            f"/v1/products/{product['id']}/images",
            files={"file": ("a.jpg", data, "image/jpeg")},
            data={"kind": "genuine"},
            headers=headers | {"Idempotency-Key": "upload-1"},
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json()["id"] == responses[1].json()["id"]
    listed = client.get(f"/v1/products/{product['id']}/images", headers=headers).json()
    assert len(listed) == 1


def test_overlong_key_is_refused(client: TestClient, make_holder: HolderFactory) -> None:
    _, headers = make_holder("Nike Inc.")
    response = client.post(
        "/v1/products", json=product_body(), headers=headers | {"Idempotency-Key": "k" * 256}
    )
    assert response.status_code == 422
    assert _count(client, headers) == 0


def test_old_records_are_purged(database: Database) -> None:
    stale = idempotency.claim(database, scope="s", key="k", request_hash="h")
    assert stale.state == "new"
    idempotency.complete(
        database, scope="s", key="k", status_code=201, content_type="application/json", body=b"{}"
    )
    assert idempotency.claim(database, scope="s", key="k", request_hash="h").state == "replay"
    assert idempotency.purge(database, older_than=timedelta(hours=1)) == 0
    assert idempotency.purge(database, older_than=timedelta(seconds=-1)) == 1
    assert idempotency.claim(database, scope="s", key="k", request_hash="h").state == "new"
