"""Refused input leaves stored data alone: version, audit chain, products, GTINs, images, blobs."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from catalog.access import audit
from catalog.core.db import Database
from catalog.core.settings import Settings
from tests.api.helpers import gtin, jpeg_bytes, png_bomb, product_body
from tests.conftest import HolderFactory, TestSettings

Snapshot = Callable[[], dict[str, Any]]
TABLES = {
    "catalog_version": "version",
    "audit_event": "id, hash",
    "product": "id, rights_holder_id, brand, name, gtins, status, updated_at, catalog_version",
    "product_gtin": "rights_holder_id, gtin, product_id",
    "reference_image": "id, product_id, sha256, kind",
    "brand_alias": "id, brand, alias",
    "rights_holder": "id, name",
}


@pytest.fixture
def snapshot(database: Database, settings: Settings) -> Snapshot:
    """Everything a request could corrupt, read straight from the database and blob folder."""

    def take() -> dict[str, Any]:
        state: dict[str, Any] = {}
        with database.session(write=False) as session:
            for table, columns in TABLES.items():
                rows = session.execute(text(f"SELECT {columns} FROM {table} ORDER BY 1"))
                state[table] = [tuple(str(v) for v in row) for row in rows]
            report = audit.verify_chain(session)
        assert report.ok, report.reason
        blobs = settings.blob_dir
        state["blobs"] = sorted(p.name for p in blobs.rglob("*") if p.is_file())
        return state

    return take


@pytest.fixture
def stocked(
    client: TestClient, make_holder: HolderFactory
) -> tuple[dict[str, str], dict[str, str], str]:
    """Two holders; the first has one product with one image. Returns (own, other, product)."""
    _, own = make_holder("Nike Inc.")
    _, other = make_holder("Adidas AG")
    product = client.post("/v1/products", json=product_body(1), headers=own).json()
    image = client.post(
        f"/v1/products/{product['id']}/images",
        files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")},
        data={"kind": "genuine"},
        headers=own,
    )
    assert image.status_code == 201
    return own, other, product["id"]


def _import(client: TestClient, headers: dict[str, str], body: bytes, media: str) -> Any:
    return client.post(
        "/v1/products/import", content=body, headers=headers | {"Content-Type": media}
    )


def test_refused_imports_change_nothing(
    client: TestClient, stocked: tuple[dict[str, str], dict[str, str], str], snapshot: Snapshot
) -> None:
    own, _, _ = stocked
    before = snapshot()
    csv = "text/csv"
    refused = [
        (b"brand,name,colour\nNike,a,red\n", csv, 422),  # unknown column
        (b"\xff\xfebrand,name\n", csv, 422),  # not UTF-8
        (b"brand,name\nNike," + b"x" * 200_000 + b"\n", csv, 422),  # over the csv field limit
        (b"", csv, 422),  # no header
        (b"{}", "application/json", 415),
    ]
    for body, media, status in refused:
        response = _import(client, own, body, media)
        assert response.status_code == status, (body[:40], response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # Files whose every row is bad are reported row by row and store nothing.
    all_bad = [
        # A new SKU claiming the stored product's GTIN, a row without a name, a NUL.
        (
            f"brand,name,gtins,sku\nNike,Again,{gtin(1001)},NEW-1\nNike,,\nNike,x\x00y,\n".encode(),
            csv,
        ),
        (
            b'{"brand": "Nike"}\n[1]\n{broken\n{"brand": "N", "name": "n", "valid_until": 0}\n',
            "application/x-ndjson",
        ),
    ]
    for body, media in all_bad:
        report = _import(client, own, body, media).json()
        assert report["imported"] == 0, report
        assert report["failed"] >= 3, report
        assert report["catalog_version"] is None
    assert snapshot() == before


def test_refused_uploads_change_nothing(
    client: TestClient, stocked: tuple[dict[str, str], dict[str, str], str], snapshot: Snapshot
) -> None:
    own, other, product_id = stocked
    before = snapshot()
    url = f"/v1/products/{product_id}/images"
    truncated = jpeg_bytes(size=(640, 480))[:600]
    for name, data, kind, headers, status in [
        ("bomb.png", png_bomb(), "genuine", own, 422),
        ("cut.jpg", truncated, "genuine", own, 422),
        ("notes.jpg", b"plain text\n" * 20, "genuine", own, 422),
        ("ok.jpg", jpeg_bytes(colour=(1, 2, 3)), "selfie", own, 422),  # unknown kind
        ("ok.jpg", jpeg_bytes(colour=(4, 5, 6)), "genuine", other, 404),  # not theirs
    ]:
        response = client.post(
            url, files={"file": (name, data, "image/jpeg")}, data={"kind": kind}, headers=headers
        )
        assert response.status_code == status, (name, response.text)
    garbage = client.post(
        url,
        content=b"--x\r\nnot a part\r\n",
        headers=own | {"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert garbage.status_code in (400, 422)
    assert snapshot() == before
    # A retired product takes no image, and a failed change leaves it retired.
    assert client.delete(f"/v1/products/{product_id}", headers=own).status_code == 200
    retired = snapshot()
    response = client.post(
        url,
        files={"file": ("new.jpg", jpeg_bytes(colour=(7, 8, 9)), "image/jpeg")},
        data={"kind": "genuine"},
        headers=own,
    )
    assert response.status_code == 409
    assert client.patch(f"/v1/products/{product_id}", json={"name": "x"}, headers=own).is_error
    assert snapshot() == retired


def test_refused_product_writes_change_nothing(
    client: TestClient, stocked: tuple[dict[str, str], dict[str, str], str], snapshot: Snapshot
) -> None:
    own, other, product_id = stocked
    before = snapshot()
    taken = product_body(2, gtins=[gtin(1001)])  # the stocked product's GTIN
    assert client.post("/v1/products", json=taken, headers=own).status_code == 409
    both = product_body(3, gtins=[gtin(3003), gtin(1001)])  # one new GTIN, one taken
    assert client.post("/v1/products", json=both, headers=own).status_code == 409
    for bad in ({"price": {"min": 5, "max": 1, "currency": "EUR"}}, {"colour": "red"}):
        assert client.post("/v1/products", json=product_body(4, **bad), headers=own).is_error
    url = f"/v1/products/{product_id}"
    assert client.patch(url, json={"name": "Stolen"}, headers=other).status_code == 404
    assert client.delete(url, headers=other).status_code == 404
    assert client.patch(url, json={"gtins": ["123"]}, headers=own).status_code == 422
    assert client.patch(url, json={"brand": None}, headers=own).status_code == 422
    # A second product cannot take the first one's GTIN by update either.
    second = client.post("/v1/products", json=product_body(5), headers=own).json()
    middle = snapshot()
    clash = client.patch(f"/v1/products/{second['id']}", json={"gtins": [gtin(1001)]}, headers=own)
    assert clash.status_code == 409
    assert snapshot() == middle
    assert middle["catalog_version"] == [(str(int(before["catalog_version"][0][0]) + 1),)]


@pytest.fixture
def capped_client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = TestSettings(
        data_dir=tmp_path / "data", database_url=database_url, max_body_bytes=4096, image_workers=0
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_bodies_over_the_cap_change_nothing(
    capped_client: TestClient,
    stocked: tuple[dict[str, str], dict[str, str], str],
    snapshot: Snapshot,
) -> None:
    own, _, product_id = stocked
    before = snapshot()
    rows = "".join(f"Nike,Shoe {n},{gtin(50_000 + n)}\n" for n in range(200))
    big_csv = ("brand,name,gtins\n" + rows).encode()
    assert len(big_csv) > 4096
    response = _import(capped_client, own, big_csv, "text/csv")
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while streaming
        stream = io.BytesIO(big_csv)
        while block := stream.read(1000):
            yield block

    streamed = capped_client.post(
        "/v1/products/import", content=chunks(), headers=own | {"Content-Type": "text/csv"}
    )
    assert streamed.status_code == 413
    upload = capped_client.post(
        f"/v1/products/{product_id}/images",
        files={"file": ("big.jpg", jpeg_bytes(size=(1200, 900)), "image/jpeg")},
        data={"kind": "genuine"},
        headers=own,
    )
    assert upload.status_code == 413
    assert snapshot() == before
