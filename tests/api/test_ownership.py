"""Brands (with aliases) and GTINs belong to one rights holder; an operator may transfer a brand."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import select

from catalog.core.db import Database
from catalog.models import AuditEvent
from tests.api.helpers import SHOE, register
from tests.conftest import HolderFactory

OTHER_GTIN = "00012345678905"


def test_another_holders_brand_or_gtin_is_refused_with_409(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, nike = make_holder("Nike Inc.")
    _, rival = make_holder("Rival")
    register(client, nike)

    brand = client.post("/v1/products", headers=rival, json={**SHOE, "gtins": [OTHER_GTIN]})
    spaced = client.post("/v1/products", headers=rival, json={**SHOE, "brand": " NIKE ",
                                                               "gtins": []})  # fmt: skip
    gtin = client.post("/v1/products", headers=rival, json={**SHOE, "brand": "Rival"})

    assert brand.status_code == 409
    assert brand.headers["content-type"] == "application/problem+json"
    assert "Nike" in brand.json()["detail"]
    assert spaced.status_code == 409
    assert gtin.status_code == 409
    assert SHOE["gtins"][0] in gtin.json()["detail"]
    register(client, nike, gtins=[OTHER_GTIN])  # the owner may go on


def test_an_alias_is_owned_like_a_brand(client: TestClient, make_holder: HolderFactory) -> None:
    _, lv = make_holder("Louis Vuitton")
    _, rival = make_holder("Rival")
    added = client.post(
        "/v1/brand-aliases", headers=lv, json={"brand": "Louis Vuitton", "alias": "LV"}
    )
    by_alias = client.post("/v1/products", headers=rival, json={**SHOE, "brand": "lv",
                                                                 "gtins": []})  # fmt: skip
    claim_alias = client.post(
        "/v1/brand-aliases", headers=rival, json={"brand": "Rival", "alias": "Louis Vuitton"}
    )

    assert added.status_code == 201, added.text
    assert by_alias.status_code == 409
    assert claim_alias.status_code == 409


def test_an_import_row_under_another_holders_brand_fails_alone(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, nike = make_holder("Nike Inc.")
    _, rival = make_holder("Rival")
    register(client, nike)
    lines = [
        json.dumps({"brand": "Rival", "name": "Runner"}),
        json.dumps({"brand": "Nike", "name": "Fake runner"}),
        json.dumps({"brand": "Rival", "name": "Taken GTIN", "gtins": SHOE["gtins"]}),
    ]
    response = client.post(
        "/v1/products/import",
        content="\n".join(lines).encode(),
        headers=rival | {"Content-Type": "application/x-ndjson"},
    )

    report = response.json()
    assert (report["imported"], report["failed"]) == (1, 2)
    assert [e["line"] for e in report["errors"]] == [2, 3]


def test_an_operator_transfers_a_brand_with_its_trademark_audited(
    client: TestClient,
    make_holder: HolderFactory,
    admin_headers: dict[str, str],
    database: Database,
) -> None:
    _, squatter = make_holder("Squatter")
    owner_id, owner = make_holder("Nike Inc.")
    register(client, squatter, gtins=[])
    proof = {
        "rights_holder_id": owner_id,
        "trademark_number": "000123",
        "trademark_office": "EUIPO",
    }

    refused = client.post("/v1/brands/Nike/owner", headers=owner, json=proof)
    moved = client.post("/v1/brands/Nike/owner", headers=admin_headers, json=proof)
    blank = client.post("/v1/brands/%20/owner", headers=admin_headers, json=proof)
    no_proof = client.post(
        "/v1/brands/Nike/owner", headers=admin_headers, json={"rights_holder_id": owner_id}
    )

    assert refused.status_code == 403
    assert moved.status_code == 200, moved.text
    assert moved.json()["trademark_office"] == "EUIPO"
    assert blank.status_code == 422
    assert no_proof.status_code == 422
    register(client, owner)
    again = client.post("/v1/products", headers=squatter, json={**SHOE, "gtins": []})
    assert again.status_code == 409
    with database.session(write=False) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "brand.owner")).all()
        assert [e.change["trademark_number"] for e in events] == ["000123"]
