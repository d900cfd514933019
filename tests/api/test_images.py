"""Reference image uploads: hashes returned, metadata stripped, attacks refused."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from catalog.core.settings import Settings
from tests.api.helpers import jpeg_bytes, jpeg_with_exif, png_bomb, product_body
from tests.conftest import HolderFactory, TestSettings


@pytest.fixture
def owner(client: TestClient, make_holder: HolderFactory) -> tuple[dict[str, str], str]:
    _, headers = make_holder("Nike Inc.")
    product = client.post("/v1/products", json=product_body(), headers=headers).json()
    return headers, product["id"]


def _upload(
    client: TestClient, headers: dict[str, str], product_id: str, data: bytes, name: str = "a.jpg"
) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/v1/products/{product_id}/images",
        files={"file": (name, data, "image/jpeg")},
        data={"kind": "genuine"},
        headers=headers,
    )
    return response.status_code, response.json()


def test_upload_returns_hashes_and_stores_a_clean_oriented_copy(
    client: TestClient, owner: tuple[dict[str, str], str], settings: Settings
) -> None:
    headers, product_id = owner
    status, image = _upload(client, headers, product_id, jpeg_with_exif(orientation=6))
    assert status == 201
    hashes = image["hashes"]
    assert isinstance(hashes, dict)
    for name in ("phash", "dhash", "whash", "colorhash"):
        int(hashes[name], 16)  # hex
    assert (image["width"], image["height"]) == (240, 320)  # rotated by its EXIF orientation
    stored = client.get(f"/v1/images/{image['id']}", headers=headers)
    assert stored.status_code == 200
    assert hashlib.sha256(stored.content).hexdigest() == image["sha256"]
    blob = Path(settings.blob_dir) / str(image["sha256"])[:2] / str(image["sha256"])[2:4]
    assert (blob / str(image["sha256"])).is_file()
    with Image.open(io.BytesIO(stored.content)) as im:
        assert im.size == (240, 320)
        assert dict(im.getexif()) == {}  # no orientation, no GPS
    listed = client.get(f"/v1/products/{product_id}/images", headers=headers).json()
    assert [i["id"] for i in listed] == [image["id"]]
    assert client.get(f"/v1/products/{product_id}", headers=headers).json()["image_count"] == 1


def test_thumbnail_and_etag(client: TestClient, owner: tuple[dict[str, str], str]) -> None:
    headers, product_id = owner
    _, image = _upload(client, headers, product_id, jpeg_bytes(size=(800, 400)))
    thumb = client.get(f"/v1/images/{image['id']}?size=100", headers=headers)
    assert thumb.status_code == 200
    with Image.open(io.BytesIO(thumb.content)) as im:
        assert im.size == (100, 50)
    again = client.get(
        f"/v1/images/{image['id']}?size=100",
        headers=headers | {"If-None-Match": thumb.headers["etag"]},
    )
    assert again.status_code == 304
    assert client.get(f"/v1/images/{image['id']}?size=3", headers=headers).status_code == 422


def test_lossless_source_is_stored_as_png(
    client: TestClient, owner: tuple[dict[str, str], str]
) -> None:
    headers, product_id = owner
    im = Image.new("RGBA", (64, 64), (255, 0, 0, 128))
    out = io.BytesIO()
    im.save(out, format="PNG")
    status, image = _upload(client, headers, product_id, out.getvalue(), "logo.png")
    assert status == 201
    assert image["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "slug"),
    [
        ("bomb.png", png_bomb(), "image-too-large"),
        ("cut.jpg", jpeg_bytes(size=(640, 480))[:-2000], "truncated-image"),
        ("notes.jpg", b"this is a text file, not a photo\n" * 10, "not-an-image"),
        ("empty.jpg", b"", "not-an-image"),
    ],
)
def test_hostile_files_are_422_and_the_server_keeps_serving(
    client: TestClient, owner: tuple[dict[str, str], str], name: str, data: bytes, slug: str
) -> None:
    headers, product_id = owner
    response = client.post(
        f"/v1/products/{product_id}/images",
        files={"file": (name, data, "image/jpeg")},
        data={"kind": "genuine"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(slug)
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/v1/products/{product_id}/images", headers=headers).json() == []


@pytest.fixture
def small_cap_client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = TestSettings(
        data_dir=tmp_path / "small", database_url=database_url, max_body_bytes=4096
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_body_over_the_cap_is_413(small_cap_client: TestClient, make_holder: HolderFactory) -> None:
    _, headers = make_holder("Nike Inc.")
    client = small_cap_client
    product = client.post("/v1/products", json=product_body(), headers=headers).json()
    big = jpeg_bytes(size=(1200, 900))
    assert len(big) > 4096
    declared = client.post(
        f"/v1/products/{product['id']}/images",
        files={"file": ("big.jpg", big, "image/jpeg")},
        data={"kind": "genuine"},
        headers=headers,
    )
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap is enforced while streaming
        for _ in range(20):
            yield b"x" * 1000

    streamed = client.post(
        "/v1/products/import",
        content=chunks(),
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert streamed.status_code == 413
    assert client.get("/healthz").status_code == 200


def test_uploads_are_prepared_in_a_process_pool(
    database_url: str, tmp_path: Path, make_holder: HolderFactory
) -> None:
    settings = TestSettings(data_dir=tmp_path / "pool", database_url=database_url, image_workers=1)
    _, headers = make_holder("Nike Inc.")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        product = client.post("/v1/products", json=product_body(), headers=headers).json()
        status, image = _upload(client, headers, product["id"], jpeg_bytes())
        assert status == 201
        hashes = cast(dict[str, str], image["hashes"])
        assert set(hashes) >= {"phash", "dhash", "whash", "colorhash"}
        status, problem = _upload(client, headers, product["id"], png_bomb(), "bomb.png")
        assert status == 422
        assert str(problem["type"]).endswith("image-too-large")
