"""Bulk import over HTTP: CSV and NDJSON, per-row errors, one version bump."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import func, select

from catalog.core.db import Database
from catalog.models import AuditEvent, CatalogVersion
from tests.api.helpers import gtin, wrong_check_digit
from tests.conftest import HolderFactory


def _version_and_events(database: Database) -> tuple[int, int]:
    with database.session(write=False) as session:
        version = session.exec(select(CatalogVersion.version)).one()
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return int(version), int(events)


def test_csv_import_stores_good_rows_and_reports_bad_ones(
    client: TestClient, database: Database, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    csv_text = (
        "brand,name,gtins,price_min,price_max,price_currency,authorized_origins\n"
        f"Nike,Air Zoom,{gtin(1)},120,160,EUR,VN|ID\n"
        f"Nike,Bad digit,{wrong_check_digit(gtin(2))},,,,\n"
        f"Nike,Repeat,{gtin(1)},,,,\n"
        'Nike,"Two\nlines",,5,1,EUR,\n'
        "Nike,Plain,,,,,\n"
    )
    before = _version_and_events(database)
    response = client.post(
        "/v1/products/import",
        content=csv_text.encode(),
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 200
    report = response.json()
    assert (report["total"], report["imported"], report["failed"]) == (5, 2, 3)
    assert [e["line"] for e in report["errors"]] == [3, 4, 5]
    assert "check digit" in report["errors"][0]["reason"]
    assert "line 2" in report["errors"][1]["reason"]
    after = _version_and_events(database)
    assert after == (before[0] + 1, before[1] + 1)
    listed = client.get("/v1/products", headers=headers).json()["items"]
    assert [p["name"] for p in listed] == ["Air Zoom", "Plain"]
    assert listed[0]["price"] == {"min": 120.0, "max": 160.0, "currency": "EUR"}
    assert listed[0]["authorized_origins"] == ["VN", "ID"]
    # The same GTIN under another SKU clashes with the stored product.
    again = client.post(
        "/v1/products/import",
        content=f"brand,name,gtins,sku\nNike,Again,{gtin(1)},NEW-1\n".encode(),
        headers=headers | {"Content-Type": "text/csv"},
    ).json()
    assert again["failed"] == 1
    assert "already registered" in again["errors"][0]["reason"]


def test_ndjson_import(client: TestClient, make_holder: HolderFactory) -> None:
    _, headers = make_holder("Nike Inc.")
    lines = [
        json.dumps(
            {"brand": "LEGO", "name": "Set 1", "price": {"min": 10, "max": 20, "currency": "DKK"}}
        ),
        "",
        "{broken",
        json.dumps({"brand": "LEGO"}),
        json.dumps({"brand": "LEGO", "name": "Set 2", "colour": "red"}),
    ]
    response = client.post(
        "/v1/products/import",
        content="\n".join(lines).encode(),
        headers=headers | {"Content-Type": "application/x-ndjson"},
    )
    report = response.json()
    assert (report["imported"], report["failed"]) == (1, 3)
    assert [e["line"] for e in report["errors"]] == [3, 4, 5]


def test_import_refuses_other_media_types_and_bad_headers(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    wrong = client.post(
        "/v1/products/import", content=b"{}", headers=headers | {"Content-Type": "application/json"}
    )
    assert wrong.status_code == 415
    assert wrong.headers["content-type"] == "application/problem+json"
    unknown = client.post(
        "/v1/products/import",
        content=b"brand,name,colour\nA,b,red\n",
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert unknown.status_code == 422
    assert "colour" in unknown.json()["detail"]


CATALOGUE = (
    "sku,brand,name,model,gtins,price_min,price_max,price_currency\n"
    "NK-1,Nike,Air Zoom,,,120,160,EUR\n"
    "NK-2,Nike,Pegasus,NK-2,,100,140,EUR\n"
    ",Nike,Vomero,,{g},,,\n"
    ",Nike,Structure,DJ-7,,,,\n"
    ",Nike,Plain tee,,,,,\n"
)


def _post(client: TestClient, headers: dict[str, str], body: str) -> dict[str, object]:
    response = client.post(
        "/v1/products/import", content=body.encode(), headers=headers | {"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_reimport_changes_nothing_and_a_changed_row_updates_by_each_key(
    client: TestClient, database: Database, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    body = CATALOGUE.format(g=gtin(7))
    first = _post(client, headers, body)
    assert (first["created"], first["updated"], first["unchanged"], first["failed"]) == (5, 0, 0, 0)
    before = _version_and_events(database)
    again = _post(client, headers, body)
    assert (again["created"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 5, 0)
    assert again["catalog_version"] is None
    assert _version_and_events(database) == before
    # Every row changed, matched by its own key: SKU, GTIN, brand + model, brand + name.
    changed = (
        body.replace("Air Zoom,,,120", "Air Zoom 2,,,125")
        .replace("Pegasus,NK-2,,100", "Pegasus 41,NK-2,,100")
        .replace("Vomero", "Vomero 18")
        .replace("Structure,DJ-7,,", "Structure 25,DJ-7,,")
        .replace("Plain tee,,,,,", "Plain tee,,,10,20,EUR")
    )
    updated = _post(client, headers, changed)
    assert (updated["created"], updated["updated"], updated["unchanged"]) == (0, 5, 0)
    assert updated["product_ids"] == first["product_ids"]
    version, events = _version_and_events(database)
    assert (version, events) == (before[0] + 1, before[1] + 5 + 1)  # one per product, one import
    listed = client.get("/v1/products", headers=headers).json()["items"]
    assert sorted(p["name"] for p in listed) == [
        "Air Zoom 2", "Pegasus 41", "Plain tee", "Structure 25", "Vomero 18"
    ]  # fmt: skip
    by_name = {p["name"]: p for p in listed}
    assert by_name["Air Zoom 2"]["model"] == "NK-1"
    assert by_name["Air Zoom 2"]["price"]["min"] == 125.0
    assert by_name["Plain tee"]["price"] == {"min": 10.0, "max": 20.0, "currency": "EUR"}
    assert (
        all(p["catalog_version"] == version for p in listed) or "catalog_version" not in listed[0]
    )
    with database.session(write=False) as session:
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-6:] == ["product.update"] * 5 + ["product.import"]


def test_rows_that_cannot_be_matched_safely_are_refused(
    client: TestClient, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike Inc.")
    _post(client, headers, f"brand,name,gtins\nNike,Twin,\nNike,A,{gtin(1)}\nNike,B,{gtin(2)}\n")
    # an older duplicate (made through the API) makes brand + name ambiguous
    client.post("/v1/products", json={"brand": "Nike", "name": "Twin"}, headers=headers)
    report = _post(
        client,
        headers,
        "sku,model,brand,name,gtins\n"
        "S-1,S-2,Nike,Mismatch,\n"
        f",,Nike,Both,{gtin(1)}|{gtin(2)}\n"
        ",,Nike,Twin,\n"
        "S-3,,Nike,New,\n"
        "S-3,,Nike,New again,\n",
    )
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    assert sorted(reasons) == [2, 3, 4, 6]
    assert "stored as the model" in reasons[2]
    assert "matches 2 of your products" in reasons[3]
    assert "matches 2 of your products" in reasons[4]
    assert "already on line 5" in reasons[6]
    assert report["created"] == 1
