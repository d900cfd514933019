"""HTTP details hostile clients find: Allow on 405, unparseable bodies, numeric dates."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import product_body
from tests.conftest import HolderFactory


def test_405_lists_every_method_of_the_resource(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    cases = {
        "/v1/products": "GET, POST",
        "/v1/products/01a21f0d-3944-772b-a990-e7ee3889977a": "DELETE, GET, PATCH",
        # A literal path shadows the templated one beside it.
        "/v1/products/import": "POST",
        "/v1/rights-holders": "GET, POST",
    }
    for path, allow in cases.items():
        response = client.request("PUT", path, headers=admin_headers)
        assert response.status_code == 405, path
        assert response.headers["allow"] == allow, path
        assert response.headers["content-type"] == "application/problem+json"


def test_undecodable_json_body_is_a_documented_400_problem(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    response = client.post(
        "/v1/products", content=b"\xff\xfe{", headers=headers | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/malformed-body")
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put", "patch"):
                assert "400" in operation["responses"], (method, path)


def test_a_number_is_not_a_date(client: TestClient, make_holder: HolderFactory) -> None:
    _, headers = make_holder("Nike Inc.")
    response = client.post("/v1/products", json=product_body(valid_until=0), headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "valid_until"]
    imported = client.post(
        "/v1/products/import",
        content=b'{"brand": "Nike", "name": "Epoch", "valid_until": 86400}\n',
        headers=headers | {"Content-Type": "application/x-ndjson"},
    ).json()
    assert (imported["imported"], imported["failed"]) == (0, 1)
    assert client.get("/v1/products", headers=headers).json()["items"] == []
