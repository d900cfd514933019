"""Hostile input the schemas accept on the wire: refused with 422 problem+json, never a 500.

A NUL byte breaks PostgreSQL text and a lone surrogate cannot be encoded as UTF-8,
so both are refused in every text field; the tests run on each backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from catalog.core.settings import Settings
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

NUL = "ref\x00x"
SURROGATE = "ref\ud800x"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


def _post(client: TestClient, url: str, headers: dict[str, str], body: object) -> Response:
    """POST JSON as a client would send it: `\\u` escapes, so a lone surrogate survives."""
    content = json.dumps(body).encode("ascii")
    return client.post(url, content=content, headers=headers | {"Content-Type": "application/json"})


def _problem(response: Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
@pytest.mark.parametrize(
    "field", ["reference", "description", "brand", "exporter", "importer", "consignee"]
)
def test_nul_and_lone_surrogates_are_refused_in_every_screening_field(
    client: TestClient, make_key: KeyFactory, field: str, bad: str
) -> None:
    body: dict[str, object] = {"description": "handbag"}
    body[field] = {"name": bad} if field == "consignee" else bad

    _problem(_post(client, "/v1/screenings", make_key("customs"), body), 422)


def test_a_bad_batch_item_costs_only_itself(client: TestClient, make_key: KeyFactory) -> None:
    items = [
        {"reference": "good-1", "description": "watch"},
        {"reference": NUL, "description": "watch"},
        {"reference": "good-2", "description": SURROGATE},
        {"reference": "good-3", "description": "watch", "images": [{"data": ""}]},
        {"reference": "good-4", "description": "watch"},
    ]
    response = _post(client, "/v1/screenings/batch", make_key("customs"), {"items": items})

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [201, 422, 422, 422, 201]


def test_empty_image_data_note_and_ids_are_refused(
    client: TestClient, make_key: KeyFactory
) -> None:
    customs = make_key("customs")
    empty = {"description": "watch", "images": [{"data": ""}]}
    made = client.post("/v1/screenings", headers=customs, json={"description": "watch"}).json()
    url = f"/v1/screenings/{made['id']}/outcome"

    _problem(client.post("/v1/screenings", headers=customs, json=empty), 422)
    _problem(client.post(url, headers=customs, json={"outcome": "genuine", "note": NUL}), 422)
    _problem(client.get("/v1/screenings/a%00b", headers=customs), 404)
    _problem(client.post("/v1/screenings/a%00b/outcome", headers=customs,
                         json={"outcome": "genuine"}), 404)  # fmt: skip


def test_a_deeply_nested_ndjson_line_fails_alone(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    deep = '{"brand": "Nike", "name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [
        json.dumps({"brand": "Nike", "name": "Pegasus 40"}),
        deep,
        json.dumps({"brand": "Nike", "name": "Pegasus\x0041"}),
        json.dumps({"brand": "Nike", "name": "Pegasus 42"}),
    ]
    response = client.post(
        "/v1/products/import",
        content="\n".join(lines).encode(),
        headers=headers | {"Content-Type": "application/x-ndjson"},
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["imported"], report["failed"]) == (2, 2)
    assert [e["line"] for e in report["errors"]] == [2, 3]


def test_a_nul_in_a_csv_cell_fails_its_row_only(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    body = "brand,name\nNike,Pegasus 40\nNike,Peg\x00asus 41\n"
    response = client.post(
        "/v1/products/import", content=body.encode(), headers=headers | {"Content-Type": "text/csv"}
    )

    assert response.status_code == 200, response.text
    assert (response.json()["imported"], response.json()["failed"]) == (1, 1)
