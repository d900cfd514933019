"""An HS code that is not in HS 2022 is refused at registration, never in a declaration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from catalog.core.settings import Settings
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


@pytest.mark.parametrize("code", ["999999", "000000", "640490"])
def test_unknown_hs_code_is_a_422_on_register_change_and_import(
    client: TestClient, make_holder: HolderFactory, code: str
) -> None:
    _, headers = make_holder("Nike Inc.")
    body = {"brand": "Nike", "name": "Pegasus", "hs_codes": ["640411", code]}
    refused = client.post("/v1/products", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert f"{code} is not an HS 2022 subheading" in refused.text
    made = client.post("/v1/products", json=body | {"hs_codes": ["6404.11"]}, headers=headers)
    assert made.status_code == 201, made.text
    product = f"/v1/products/{made.json()['id']}"
    assert client.patch(product, json={"hs_codes": [code]}, headers=headers).status_code == 422
    report = client.post(
        "/v1/products/import",
        content=f"brand,name,hs_codes\nNike,Vomero,640411|{code}\nNike,Structure,640411\n".encode(),
        headers=headers | {"Content-Type": "text/csv"},
    ).json()
    assert (report["created"], report["failed"]) == (1, 1)
    assert "not an HS 2022 subheading" in report["errors"][0]["reason"]


def test_a_declaration_with_an_unknown_hs_code_is_still_screened(
    client: TestClient, make_key: KeyFactory
) -> None:
    declared = {"description": "running shoes", "hs_code": "999999"}
    response = client.post("/v1/screenings", json=declared, headers=make_key("customs"))
    assert response.status_code == 201, response.text
    assert response.json()["verdict"] == "no_match"


@pytest.mark.parametrize(
    ("code", "signal"),
    [
        ("640490", "hs_code_unknown"),  # heading 6404 exists, subheading 640490 does not
        ("999999", "hs_code_unknown"),
        ("640299", "hs_code_other_heading"),  # a real heading of the product's chapter
        ("64041100", "hs_code_consistent"),  # an 8-digit national code of a real subheading
    ],
)
def test_the_declared_code_is_read_against_the_hs_2022_table(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory, code: str, signal: str
) -> None:
    _, headers = make_holder("Nike Inc.")
    body = {"brand": "Nike", "name": "Air Zoom Pegasus 40 running shoe", "hs_codes": ["640411"]}
    assert client.post("/v1/products", json=body, headers=headers).status_code == 201
    declared = {"description": "nike air zoom pegasus 40 running shoe", "hs_code": code}
    response = client.post("/v1/screenings", json=declared, headers=make_key("customs"))
    assert response.status_code == 201, response.text
    names = [s["name"] for s in response.json()["matches"][0]["signals"]]
    hs_names = [n for n in names if n.startswith("hs_code")]
    assert hs_names == [signal]
