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
    # A second import of the same GTIN clashes with the stored product.
    again = client.post(
        "/v1/products/import",
        content=f"brand,name,gtins\nNike,Again,{gtin(1)}\n".encode(),
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
