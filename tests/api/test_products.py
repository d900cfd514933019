"""Products over HTTP: register, search, paginate, change, retire, validation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.access import audit
from catalog.core.db import Database
from tests.api.helpers import gtin, product_body, wrong_check_digit
from tests.conftest import HolderFactory


@pytest.fixture
def holder(make_holder: HolderFactory) -> dict[str, str]:
    return make_holder("Nike Inc.")[1]


def test_register_read_update_retire(client: TestClient, holder: dict[str, str]) -> None:
    created = client.post("/v1/products", json=product_body(), headers=holder)
    assert created.status_code == 201
    product = created.json()
    assert product["price"] == {"min": 120.0, "max": 160.0, "currency": "EUR"}
    assert product["status"] == "active"
    assert product["created_at"].endswith("Z")
    path = f"/v1/products/{product['id']}"
    assert client.get(path, headers=holder).json() == product
    changed = client.patch(
        path,
        json={"name": "Pegasus 41", "price": None, "authorized_origins": ["cn"]},
        headers=holder,
    ).json()
    assert changed["name"] == "Pegasus 41"
    assert changed["price"] is None
    assert changed["authorized_origins"] == ["CN"]
    assert changed["brand"] == "Nike"
    assert changed["catalog_version"] > product["catalog_version"]
    retired = client.delete(path, headers=holder).json()
    assert retired["status"] == "retired"
    assert client.get("/v1/products", headers=holder).json()["items"] == []
    assert [
        p["id"] for p in client.get("/v1/products?status=retired", headers=holder).json()["items"]
    ] == [product["id"]]
    assert client.patch(path, json={"name": "x"}, headers=holder).status_code == 409
    # Retiring releases the GTIN for a new registration.
    again = client.post("/v1/products", json=product_body(), headers=holder)
    assert again.status_code == 201


def test_search_by_text_brand_and_gtin(client: TestClient, holder: dict[str, str]) -> None:
    client.post("/v1/products", json=product_body(1), headers=holder)
    client.post(
        "/v1/products",
        json=product_body(2, brand="Jordan", name="Air Jordan 1 Retro High", gtins=[gtin(77)]),
        headers=holder,
    )

    def names(query: str) -> list[str]:
        response = client.get(f"/v1/products?{query}", headers=holder)
        assert response.status_code == 200
        return [p["name"] for p in response.json()["items"]]

    assert names("q=retro high") == ["Air Jordan 1 Retro High"]
    assert names("q=AIR") == ["Air Zoom Pegasus 1 running shoe", "Air Jordan 1 Retro High"]
    assert names("brand=jordan") == ["Air Jordan 1 Retro High"]
    assert names(f"gtin={gtin(77)}") == ["Air Jordan 1 Retro High"]
    assert names("gtin=12345") == []
    assert names("q=100%25") == []


def test_cursor_pagination_walks_every_product_once(
    client: TestClient, holder: dict[str, str]
) -> None:
    ids = [
        client.post("/v1/products", json=product_body(n), headers=holder).json()["id"]
        for n in range(5)
    ]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/v1/products?{query}", headers=holder).json()
        seen += [p["id"] for p in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3
    bad = client.get("/v1/products?cursor=not-a-cursor", headers=holder)
    assert bad.status_code == 422


def test_same_gtin_twice_by_one_holder_or_by_another_holder_is_409(
    client: TestClient, holder: dict[str, str], make_holder: HolderFactory
) -> None:
    assert client.post("/v1/products", json=product_body(1), headers=holder).status_code == 201
    clash = client.post("/v1/products", json=product_body(2, gtins=[gtin(1001)]), headers=holder)
    assert clash.status_code == 409
    assert clash.headers["content-type"] == "application/problem+json"
    # The 12-digit UPC-A and its 13-digit EAN form are the same GTIN.
    upc = gtin(555, length=12)
    assert (
        client.post("/v1/products", json=product_body(3, gtins=[upc]), headers=holder).status_code
        == 201
    )
    same = client.post("/v1/products", json=product_body(4, gtins=["0" + upc]), headers=holder)
    assert same.status_code == 409
    _, other = make_holder("Grey importer")
    taken = client.post(
        "/v1/products", json=product_body(1, brand="Grey"), headers=other
    )  # the GTIN belongs to the first holder (issue 9, ownership)
    assert taken.status_code == 409


INVALID: list[tuple[str, dict[str, Any]]] = [
    ("wrong GTIN check digit", {"gtins": [wrong_check_digit(gtin(42))]}),
    ("GTIN of 10 digits", {"gtins": ["1234567890"]}),
    ("unknown country", {"authorized_origins": ["XX"]}),
    ("unknown currency", {"price": {"min": 1, "max": 2, "currency": "EUX"}}),
    ("price min above max", {"price": {"min": 3, "max": 2, "currency": "EUR"}}),
    ("zero price", {"price": {"min": 0, "max": 2, "currency": "EUR"}}),
    ("price without currency", {"price": {"min": 1, "max": 2}}),
    ("short HS code", {"hs_codes": ["6404"]}),
    ("HS code with letters", {"hs_codes": ["6404AB"]}),
    ("name too long", {"name": "x" * 301}),
    ("brand blank", {"brand": "   "}),
    ("description too long", {"description": "x" * 5001}),
    ("unknown field", {"colour": "red"}),
    ("bad date", {"valid_until": "next year"}),
]


@pytest.mark.parametrize(("case", "change"), INVALID, ids=[c for c, _ in INVALID])
def test_invalid_products_are_422_problems(
    client: TestClient, holder: dict[str, str], case: str, change: dict[str, Any]
) -> None:
    response = client.post("/v1/products", json=product_body(**change), headers=holder)
    assert response.status_code == 422, case
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"], case


def test_limits_accept_what_the_design_promises(client: TestClient, holder: dict[str, str]) -> None:
    body = product_body(name="n" * 300, brand="b" * 300, description="d" * 5000)
    assert client.post("/v1/products", json=body, headers=holder).status_code == 201
    minimal = client.post("/v1/products", json={"brand": "LEGO", "name": "Set 42"}, headers=holder)
    assert minimal.status_code == 201
    assert minimal.json()["gtins"] == []
    for gtin_length in (8, 12, 14):
        body = product_body(9, gtins=[gtin(9000 + gtin_length, length=gtin_length)])
        assert client.post("/v1/products", json=body, headers=holder).status_code == 201


def test_bad_json_and_nulls_are_problems_not_500(
    client: TestClient, holder: dict[str, str]
) -> None:
    broken = client.post(
        "/v1/products", content=b"{not json", headers=holder | {"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    created = client.post("/v1/products", json=product_body(), headers=holder).json()
    nulled = client.patch(f"/v1/products/{created['id']}", json={"name": None}, headers=holder)
    assert nulled.status_code == 422
    assert (
        client.patch(f"/v1/products/{created['id']}", json=[1], headers=holder).status_code == 422
    )


def test_admin_registers_for_a_named_holder(
    client: TestClient, admin_headers: dict[str, str], make_holder: HolderFactory
) -> None:
    holder_id, holder = make_holder("Nike Inc.")
    unnamed = client.post("/v1/products", json=product_body(), headers=admin_headers)
    assert unnamed.status_code == 422
    missing = client.post(
        "/v1/products?rights_holder_id=nope", json=product_body(), headers=admin_headers
    )
    assert missing.status_code == 404
    made = client.post(
        f"/v1/products?rights_holder_id={holder_id}", json=product_body(), headers=admin_headers
    )
    assert made.status_code == 201
    assert client.get(f"/v1/products/{made.json()['id']}", headers=holder).status_code == 200


def test_brand_aliases_belong_to_their_holder(
    client: TestClient, database: Database, holder: dict[str, str], make_holder: HolderFactory
) -> None:
    product = client.post(
        "/v1/products", json=product_body(brand="Louis Vuitton"), headers=holder
    ).json()
    made = client.post(
        "/v1/brand-aliases", json={"brand": "Louis Vuitton", "alias": "LV"}, headers=holder
    )
    assert made.status_code == 201
    again = client.post(
        "/v1/brand-aliases", json={"brand": "Louis Vuitton", "alias": "LV"}, headers=holder
    )
    assert again.status_code == 409
    same = client.post(
        "/v1/brand-aliases",
        json={"brand": "Louis Vuitton", "alias": "louis vuitton"},
        headers=holder,
    )
    assert same.status_code == 422
    # The product is stamped with the alias change's version, so index syncs re-read it.
    touched = client.get(f"/v1/products/{product['id']}", headers=holder).json()
    assert touched["catalog_version"] > product["catalog_version"]
    _, other = make_holder("Rival Ltd.")
    assert client.get("/v1/brand-aliases", headers=other).json()["items"] == []
    alias_id = made.json()["id"]
    assert client.delete(f"/v1/brand-aliases/{alias_id}", headers=other).status_code == 404
    assert client.delete(f"/v1/brand-aliases/{alias_id}", headers=holder).status_code == 204
    assert client.get("/v1/brand-aliases", headers=holder).json()["items"] == []
    with database.session(write=False) as session:
        assert audit.verify_chain(session).ok


def test_hostile_text_and_ids_are_refused_not_500(
    client: TestClient, holder: dict[str, str]
) -> None:
    raw_bodies = [
        b'{"brand": "Nike", "name": "nul \\u0000 byte"}',
        b'{"brand": "Nike", "name": "lone \\ud800 surrogate"}',
        b'{"brand": "Nike", "name": "x", "price": {"min": 1e400, "max": 1e401, "currency": "EUR"}}',
    ]
    for raw in raw_bodies:
        response = client.post(
            "/v1/products", content=raw, headers=holder | {"Content-Type": "application/json"}
        )
        assert response.status_code == 422, raw
    for query in ("q=%00", "brand=%00", "gtin=%00"):
        assert client.get(f"/v1/products?{query}", headers=holder).status_code == 200
    for bad in ("cursor=%00", "rights_holder_id=%00", "limit=0", "status=gone"):
        assert client.get(f"/v1/products?{bad}", headers=holder).status_code == 422
    for product_id in ("%00", "x" * 500, "..%2F..%2Fetc"):
        assert client.get(f"/v1/products/{product_id}", headers=holder).status_code == 404
        assert client.get(f"/v1/images/{product_id}", headers=holder).status_code == 404
