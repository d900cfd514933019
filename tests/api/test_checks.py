"""Officers' checks over HTTP: photo, barcode and text; the compact answer; the kept photo."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from catalog.core.settings import Settings
from matchers.images.local_features import tilted
from matchers.images.vocab_train import photograph
from tests.api.checkkit import (
    PRODUCT_GTIN,
    barcode_photo,
    jpeg,
    packshot,
    phone_photo,
    product_fields,
    register_with_image,
)
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

PROBLEM = "application/problem+json"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


@pytest.fixture
def officer(make_key: KeyFactory) -> dict[str, str]:
    return make_key("officer", name="port officer")


def _check(
    client: TestClient, headers: dict[str, str], *, photo: bytes | None = None, **fields: str
) -> tuple[int, dict[str, object]]:
    files = {"photo": ("item.jpg", photo, "image/jpeg")} if photo is not None else None
    response = client.post("/v1/checks", headers=headers, data=fields, files=files)
    return response.status_code, response.json()


def test_a_photo_finds_the_product_and_the_answer_fits_a_phone(
    client: TestClient, make_holder: HolderFactory, officer: dict[str, str]
) -> None:
    _, holder = make_holder("Lumora SA")
    product_id, image_id = register_with_image(client, holder, seed=1)
    status, body = _check(client, officer, photo=jpeg(phone_photo(1), gps=True))
    assert status == 201, body
    assert body["no_confident_match"] is False
    candidates = body["candidates"]
    assert isinstance(candidates, list)
    assert 1 <= len(candidates) <= 3
    top = candidates[0]
    assert top["product_id"] == product_id
    assert top["brand"] == "Lumora"
    assert top["lane"] in ("green", "yellow", "red")
    assert top["thumbnails"] == [f"/v1/images/{image_id}?size=320"]
    assert top["checklist"]["authenticity_features"] == product_fields()["authenticity_features"]
    assert top["checklist"]["counterfeit_indicators"] == product_fields()["counterfeit_indicators"]
    assert top["contact"]["rights_holder"] == "Lumora SA"
    assert body["barcode"] is None
    # The officer may open the genuine reference the answer links to.
    thumb = client.get(str(top["thumbnails"][0]), headers=officer)
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    # The check is stored like a screening: same versions, readable again.
    screening = client.get(f"/v1/screenings/{body['screening_id']}", headers=officer).json()
    assert screening["catalog_version"] == body["catalog_version"]
    assert screening["engine_version"] == body["engine_version"]
    assert client.get(f"/v1/checks/{body['id']}", headers=officer).json()["id"] == body["id"]


def test_the_stored_photo_carries_no_gps_or_other_metadata(
    client: TestClient, make_holder: HolderFactory, officer: dict[str, str]
) -> None:
    sent = jpeg(phone_photo(2), gps=True)
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)  # the upload has GPS
    status, body = _check(client, officer, photo=sent, text="face cream")
    assert status == 201, body
    stored = client.get(str(body["photo_url"]), headers=officer)
    assert stored.status_code == 200
    assert stored.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(stored.content)) as im:
        assert len(im.getexif()) == 0
        assert "exif" not in im.info
        assert "xmp" not in im.info
        assert im.size == Image.open(io.BytesIO(sent)).size
    assert b"Officer Phone 9" not in stored.content


@pytest.mark.parametrize(
    ("content", "fmt", "symbology"),
    [
        (PRODUCT_GTIN, zxingcpp.BarcodeFormat.EAN13, "EAN-13"),
        (f"(01)0{PRODUCT_GTIN}(17)271231", zxingcpp.BarcodeFormat.DataMatrix, "GS1 DataMatrix"),
        (f"https://id.gs1.org/01/0{PRODUCT_GTIN}", zxingcpp.BarcodeFormat.QRCode, "GS1 QR Code"),
    ],
)
def test_a_barcode_in_the_photo_is_read_and_scored(
    client: TestClient,
    make_holder: HolderFactory,
    officer: dict[str, str],
    content: str,
    fmt: zxingcpp.BarcodeFormat,
    symbology: str,
) -> None:
    _, holder = make_holder("Lumora SA")
    product_id, _ = register_with_image(client, holder, seed=3)
    status, body = _check(client, officer, photo=barcode_photo(content, fmt))
    assert status == 201, body
    assert body["barcode"] == {"symbology": symbology, "text": content, "gtin": f"0{PRODUCT_GTIN}"}
    assert body["gtin"] == f"0{PRODUCT_GTIN}"
    assert [c["product_id"] for c in body["candidates"]][:1] == [product_id]


def test_text_or_gtin_alone_is_enough(
    client: TestClient, make_holder: HolderFactory, officer: dict[str, str]
) -> None:
    _, holder = make_holder("Lumora SA")
    product_id, _ = register_with_image(client, holder, seed=4)
    status, body = _check(client, officer, text="Lumora Glow face cream 50 ml")
    assert status == 201, body
    assert body["candidates"][0]["product_id"] == product_id
    status, body = _check(client, officer, gtin=PRODUCT_GTIN)
    assert status == 201, body
    assert body["candidates"][0]["product_id"] == product_id


def test_a_slanted_pack_is_found_at_a_simulated_tilt(
    client: TestClient, make_holder: HolderFactory, officer: dict[str, str]
) -> None:
    _, holder = make_holder("Lumora SA")
    product_id, _ = register_with_image(client, holder, seed=3)
    # The pack seen slanted: foreshortened 2.5 times along the diagonal.
    slanted = photograph(
        tilted(packshot(3), 1 / 2.5, 45.0), np.random.default_rng([7, 3]), strength=0.3
    )
    status, body = _check(client, officer, photo=jpeg(slanted))
    assert status == 201, body
    candidates = body["candidates"]
    assert isinstance(candidates, list)
    assert candidates, body
    assert candidates[0]["product_id"] == product_id
    reasons = " ".join(candidates[0]["reasons"])
    assert "straightened as if the pack were seen face-on" in reasons
    for jargon in ("homography", "CIELAB", "local-feature", "keypoint", "degrees"):
        assert jargon not in reasons  # read aloud by an officer


def test_an_unknown_item_says_no_confident_match(
    client: TestClient, make_holder: HolderFactory, officer: dict[str, str]
) -> None:
    _, holder = make_holder("Lumora SA")
    register_with_image(client, holder, seed=5)
    status, body = _check(client, officer, photo=jpeg(phone_photo(77)), text="garden hose 20 m")
    assert status == 201, body
    assert body["no_confident_match"] is True
    assert body["candidates"] == []
    assert body["verdict"] == "no_match"


@pytest.mark.parametrize(
    ("photo", "fields", "slug"),
    [
        (None, {}, "empty-check"),
        (b"this is not an image", {}, "not-an-image"),
        (b"", {"text": " "}, "empty-check"),
        (None, {"gtin": "12345"}, "invalid-gtin"),
        (None, {"text": "face\x00cream"}, "invalid-text"),
        (None, {"text": "face\x07cream"}, "invalid-text"),
    ],
)
def test_bad_input_is_a_problem_not_an_error_page(
    client: TestClient,
    officer: dict[str, str],
    photo: bytes | None,
    fields: dict[str, str],
    slug: str,
) -> None:
    response = client.post(
        "/v1/checks",
        headers=officer,
        data=fields,
        files={"photo": ("x.jpg", photo, "image/jpeg")} if photo is not None else None,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith(slug)


def test_roles_and_ownership(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory, officer: dict[str, str]
) -> None:
    _, holder = make_holder("Lumora SA")
    assert client.post("/v1/checks", data={"text": "x"}).status_code == 401
    forbidden = client.post("/v1/checks", headers=holder, data={"text": "x"})
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith(PROBLEM)
    status, body = _check(client, officer, text="face cream")
    assert status == 201
    other = make_key("officer", name="another port")
    assert client.get(f"/v1/checks/{body['id']}", headers=other).status_code == 404
    assert client.get(f"/v1/checks/{body['id']}/photo", headers=officer).status_code == 404
    assert client.get("/v1/checks/not-an-id", headers=officer).status_code == 404
