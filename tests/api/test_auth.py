"""Keys, roles and ownership: who may do what, and what others see."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import func, select

from catalog.core.db import Database
from catalog.models import AuditEvent, CatalogVersion, Product
from tests.api.helpers import jpeg_bytes, product_body
from tests.conftest import HolderFactory, KeyFactory


def _state(database: Database) -> tuple[int, int]:
    with database.session(write=False) as session:
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
        version = session.exec(select(CatalogVersion.version)).one()
    return int(events), int(version)


def test_missing_and_invalid_keys_get_401_with_challenge(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = client.get("/v1/products", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/problem+json"
    forged = "Bearer cm_000000000000_" + "x" * 43
    assert client.get("/v1/products", headers={"Authorization": forged}).status_code == 401


def test_admin_creates_holder_and_key_that_works(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    holder = client.post(
        "/v1/rights-holders",
        json={"name": "LEGO A/S", "contact_email": "ip@lego.example"},
        headers=admin_headers,
    )
    assert holder.status_code == 201
    key = client.post(
        "/v1/api-keys",
        json={
            "role": "rights_holder",
            "name": "LEGO IP team",
            "rights_holder_id": holder.json()["id"],
        },
        headers=admin_headers,
    )
    assert key.status_code == 201
    body = key.json()
    assert set(body) >= {"id", "key", "prefix", "role"}
    assert body["key"].startswith(f"cm_{body['prefix']}_")
    own = {"Authorization": f"Bearer {body['key']}"}
    assert client.post("/v1/products", json=product_body(), headers=own).status_code == 201
    listed = client.get("/v1/api-keys", headers=admin_headers).json()["items"]
    assert all("key" not in item for item in listed)
    assert client.get("/v1/rights-holders", headers=admin_headers).json()["items"][0]["name"] == (
        "LEGO A/S"
    )


def test_rights_holder_key_needs_an_existing_holder(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    missing = client.post(
        "/v1/api-keys", json={"role": "rights_holder", "name": "x"}, headers=admin_headers
    )
    assert missing.status_code == 422
    unknown = client.post(
        "/v1/api-keys",
        json={"role": "rights_holder", "name": "x", "rights_holder_id": "nope"},
        headers=admin_headers,
    )
    assert unknown.status_code == 404
    bad_role = client.post(
        "/v1/api-keys", json={"role": "root", "name": "x"}, headers=admin_headers
    )
    assert bad_role.status_code == 422


def test_revoked_key_is_refused(client: TestClient, admin_headers: dict[str, str]) -> None:
    issued = client.post(
        "/v1/api-keys", json={"role": "customs", "name": "border"}, headers=admin_headers
    ).json()
    headers = {"Authorization": f"Bearer {issued['key']}"}
    assert client.get("/v1/images/none", headers=headers).status_code == 404  # authenticated
    assert client.delete(f"/v1/api-keys/{issued['id']}", headers=admin_headers).status_code == 204
    assert client.get("/v1/images/none", headers=headers).status_code == 401
    assert client.delete("/v1/api-keys/unknown", headers=admin_headers).status_code == 404


def test_roles_are_checked_on_every_catalogue_route(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Nike Inc.")
    customs = make_key("customs")
    officer = make_key("officer")
    for other in (customs, officer):
        assert client.post("/v1/products", json=product_body(), headers=other).status_code == 403
        assert client.get("/v1/products", headers=other).status_code == 403
        assert client.get("/v1/rights-holders", headers=other).status_code == 403
    assert client.post("/v1/rights-holders", json={"name": "X"}, headers=holder).status_code == 403
    assert (
        client.post("/v1/api-keys", json={"role": "admin", "name": "x"}, headers=holder).status_code
        == 403
    )
    response = client.post(
        "/v1/products/import",
        content=b"brand,name\nA,b\n",
        headers=customs | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 403


def test_another_holders_product_is_404_and_untouched(
    client: TestClient, database: Database, make_holder: HolderFactory
) -> None:
    _, owner = make_holder("Nike Inc.")
    _, intruder = make_holder("Rival Ltd.")
    created = client.post("/v1/products", json=product_body(), headers=owner).json()
    path = f"/v1/products/{created['id']}"
    before = _state(database)
    assert client.get(path, headers=intruder).status_code == 404
    patched = client.patch(path, json={"name": "stolen"}, headers=intruder)
    assert patched.status_code == 404
    assert patched.headers["content-type"] == "application/problem+json"
    assert client.delete(path, headers=intruder).status_code == 404
    upload = client.post(
        f"{path}/images",
        files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")},
        data={"kind": "genuine"},
        headers=intruder,
    )
    assert upload.status_code == 404
    assert client.get(f"{path}/images", headers=intruder).status_code == 404
    assert client.get("/v1/products", headers=intruder).json()["items"] == []
    assert client.get("/v1/products?status=all", headers=intruder).json()["items"] == []
    assert _state(database) == before
    with database.session(write=False) as session:
        stored = session.get(Product, created["id"])
        assert stored is not None
        assert stored.name == created["name"]
        assert stored.status == "active"
    assert client.get(path, headers=owner).json()["name"] == created["name"]


def test_image_access_by_role(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, owner = make_holder("Nike Inc.")
    _, other = make_holder("Rival Ltd.")
    customs = make_key("customs")
    product = client.post("/v1/products", json=product_body(), headers=owner).json()
    ids = {}
    for kind in ("genuine", "counterfeit"):
        uploaded = client.post(
            f"/v1/products/{product['id']}/images",
            files={"file": (f"{kind}.jpg", jpeg_bytes(), "image/jpeg")},
            data={"kind": kind},
            headers=owner,
        )
        assert uploaded.status_code == 201
        ids[kind] = uploaded.json()["id"]
    assert client.get(f"/v1/images/{ids['genuine']}", headers=owner).status_code == 200
    assert client.get(f"/v1/images/{ids['counterfeit']}", headers=owner).status_code == 200
    assert client.get(f"/v1/images/{ids['genuine']}", headers=customs).status_code == 200
    assert client.get(f"/v1/images/{ids['counterfeit']}", headers=customs).status_code == 404
    assert client.get(f"/v1/images/{ids['genuine']}", headers=other).status_code == 404
    assert client.get(f"/v1/images/{ids['genuine']}").status_code == 401


def test_only_the_owner_deletes_an_image(
    client: TestClient, database: Database, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, owner = make_holder("Nike Inc.")
    _, other = make_holder("Rival Ltd.")
    product = client.post("/v1/products", json=product_body(), headers=owner).json()
    image = client.post(
        f"/v1/products/{product['id']}/images",
        files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")},
        data={"kind": "genuine"},
        headers=owner,
    ).json()
    path = f"/v1/images/{image['id']}"
    customs = make_key("customs")
    before = _state(database)
    assert client.delete(path, headers=other).status_code == 404
    assert client.delete(path, headers=customs).status_code == 403
    assert _state(database) == before
    assert client.delete(path, headers=owner).status_code == 204
    assert client.get(path, headers=owner).status_code == 404
    events, version = _state(database)
    assert (events, version) == (before[0] + 1, before[1] + 1)
