"""Screening endpoints over HTTP: contract, roles, batch, storage, outcomes, idempotency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.models import Screening
from tests.api.helpers import register, upload_image
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import (
    VALIDATED,
    jpeg_base64,
    pattern_image,
    screening_client,
    validate_screening_response,
)

CONTRACT_FIELDS = {
    "id", "reference", "risk", "verdict", "lane", "matches", "catalog_version",
    "engine_version", "took_ms",
}  # fmt: skip


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has finished loading its index (every screening answer is checked)."""
    with screening_client(settings) as test_client:
        yield test_client


def test_readiness_reports_the_index(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["checks"]["index"] is True


def test_screening_needs_a_customs_or_officer_key(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Nike")
    assert client.post("/v1/screenings", json={"description": "x"}).status_code == 401
    forbidden = client.post("/v1/screenings", headers=holder, json={"description": "x"})
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("application/problem+json")
    officer = client.post("/v1/screenings", headers=make_key("officer"), json={"description": "x"})
    assert officer.status_code == 201


def test_a_product_registered_a_moment_ago_is_matched(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Nike")
    customs = make_key("customs")
    before = client.post("/v1/screenings", headers=customs, json={"description": "pegasus 40"})
    assert before.json()["matches"] == []

    product_id = register(client, holder)
    after = client.post(
        "/v1/screenings",
        headers=customs,
        json={"reference": "D-1", "description": "nike air zoom pegasus 40 running shoes",
              "brand": "Nike", "quantity": 2},
    )  # fmt: skip

    assert after.status_code == 201
    body = after.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["reference"] == "D-1"
    assert body["matches"][0]["product_id"] == product_id
    assert body["catalog_version"] > before.json()["catalog_version"]
    assert after.headers["location"] == f"/v1/screenings/{body['id']}"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"description": ""},
        {"description": "x", "unknown": 1},
        {"description": "x", "unit_value": {"amount": 1, "currency": "XXQ"}},
        {"description": "x", "origin_country": "ZZ"},
        {"description": "x", "hs_code": "12"},
        {"description": "x", "images": [{}]},
        {"description": "x" * 1001},
    ],
)
def test_invalid_requests_are_problems(
    client: TestClient, make_key: KeyFactory, payload: dict[str, Any]
) -> None:
    response = client.post("/v1/screenings", headers=make_key("customs"), json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_batch_keeps_order_and_reports_each_invalid_item(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Nike")
    register(client, holder)
    items = [
        {"reference": "a", "description": "nike pegasus 40 running shoe", "brand": "Nike"},
        {"reference": "b", "description": ""},
        {"reference": "c", "description": "green tea leaves"},
        {"reference": "d", "description": "x", "images": [{"data": "@@not base64@@"}]},
    ]
    response = client.post(
        "/v1/screenings/batch", headers=make_key("customs"), json={"items": items}
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert [r["status"] for r in results] == [201, 422, 201, 422]
    assert results[0]["result"]["reference"] == "a"
    assert results[0]["result"]["matches"]
    assert results[2]["result"]["verdict"] == "no_match"
    assert results[1]["problem"]["errors"][0]["loc"] == ["description"]
    too_many = {"items": [{"description": "x"}] * 1001}
    assert (
        client.post("/v1/screenings/batch", headers=make_key("customs"), json=too_many).status_code
        == 422
    )


def test_stored_result_is_readable_by_its_client_only(
    client: TestClient, make_key: KeyFactory, admin_headers: dict[str, str], database: Database
) -> None:
    customs = make_key("customs", name="customs A")
    namesake = make_key("customs", name="customs A")  # same name, another client
    other = make_key("customs", name="customs B")
    created = client.post(
        "/v1/screenings",
        headers=customs,
        json={
            "description": "handbag",
            "consignee": {"name": "Jane Q. Public", "address": "1 Rue X"},
        },
    ).json()
    url = f"/v1/screenings/{created['id']}"

    assert client.get(url, headers=customs).json()["id"] == created["id"]
    assert client.get(url, headers=namesake).status_code == 404
    assert client.get(url, headers=admin_headers).status_code == 200
    assert client.get(url, headers=other).status_code == 404
    with database.session(write=False) as session:
        stored = session.execute(
            select(Screening).where(Screening.id == created["id"])
        ).scalar_one()  # type: ignore[arg-type]
        assert "Jane" not in str(stored.request)
        assert "Rue X" not in str(stored.request)
        assert stored.request["consignee"]["name_pseudonym"].startswith("hmac-sha256:")
        assert stored.engine_version == created["engine_version"]
        assert stored.took_ms == created["took_ms"]


def test_outcome_is_recorded_and_shown(client: TestClient, make_key: KeyFactory) -> None:
    customs = make_key("customs")
    created = client.post("/v1/screenings", headers=customs, json={"description": "watch"}).json()
    url = f"/v1/screenings/{created['id']}/outcome"

    bad = client.post(url, headers=customs, json={"outcome": "maybe"})
    officer = client.post(
        url,
        headers=make_key("officer", client_of=customs),
        json={"outcome": "counterfeit", "note": "logo"},
    )
    read = client.get(f"/v1/screenings/{created['id']}", headers=customs).json()

    assert bad.status_code == 422
    assert officer.status_code == 200
    assert read["outcome"]["outcome"] == "counterfeit"
    assert read["outcome"]["note"] == "logo"
    assert client.post("/v1/screenings/nope/outcome", headers=customs,
                       json={"outcome": "genuine"}).status_code == 404  # fmt: skip


def test_idempotency_key_replays_the_stored_result(
    client: TestClient, make_key: KeyFactory
) -> None:
    customs = {**make_key("customs"), "Idempotency-Key": "decl-42"}
    first = client.post("/v1/screenings", headers=customs, json={"description": "sunglasses"})
    again = client.post("/v1/screenings", headers=customs, json={"description": "sunglasses"})
    other = client.post("/v1/screenings", headers=customs, json={"description": "a hat"})

    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    assert other.status_code == 422


def test_images_as_data_or_hashes_find_a_reused_listing_photo(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Nike")
    product_id = register(client, holder)
    photo = pattern_image(5)
    upload = upload_image(client, holder, product_id, photo)
    customs = make_key("customs")

    def screen(image: dict[str, str]) -> Any:
        return client.post(
            "/v1/screenings", headers=customs, json={"description": "shoes", "images": [image]}
        )

    by_data = screen({"data": jpeg_base64(photo)})
    by_hash = screen({"phash": upload["hashes"]["phash"]})
    not_image = screen({"data": "aGVsbG8="})

    for response in (by_data, by_hash):
        assert response.status_code == 201, response.text
        assert response.json()["matches"][0]["product_id"] == product_id
    assert not_image.status_code == 422


def test_every_screening_answer_is_checked_against_its_schema(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Nike")
    register(client, holder)
    customs = make_key("customs")
    before = dict(VALIDATED)
    item = {"description": "nike pegasus 40", "brand": "Nike", "images": [{"phash": "0" * 16}]}
    created = client.post("/v1/screenings", headers=customs, json=item)
    client.post("/v1/screenings/batch", headers=customs, json={"items": [item, {}]})
    client.get(f"/v1/screenings/{created.json()['id']}", headers=customs)
    client.post("/v1/screenings", headers=customs, json={"description": "x", "hs_code": "1"})

    assert VALIDATED[False] - before[False] == 3
    assert VALIDATED[True] - before[True] == 1
    malformed = httpx.Response(
        201,
        json={**created.json(), "lane": "purple"},
        request=httpx.Request("POST", "http://testserver/v1/screenings"),
    )
    with pytest.raises(ValueError, match="lane"):
        validate_screening_response(malformed)
