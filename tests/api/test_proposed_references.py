"""Fakes that teach: an officer's photo of a confirmed fake, accepted by the rights holder,
becomes a counterfeit reference that catches a later declaration showing an edited copy."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageOps

from catalog.core.settings import Settings
from tests.api.checkkit import jpeg, phone_photo, register_with_image
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


def _counterfeit_check(
    client: TestClient, officer: dict[str, str], photo: bytes, **outcome: object
) -> dict[str, object]:
    made = client.post(
        "/v1/checks", headers=officer, files={"photo": ("fake.jpg", photo, "image/jpeg")}
    )
    assert made.status_code == 201, made.text
    check = made.json()
    assert check["candidates"], check
    top = check["candidates"][0]
    ticked = [top["checklist"]["counterfeit_indicators"][0]]
    recorded = client.post(
        f"/v1/checks/{check['id']}/outcome",
        headers=officer,
        json={"outcome": "counterfeit", "note": "glued seal", "checked": ticked, **outcome},
    )
    assert recorded.status_code == 200, recorded.text
    body = recorded.json()
    assert body["outcome"]["outcome"] == "counterfeit"
    assert body["checked"] == ticked
    return dict(body)


def test_an_accepted_fake_catches_a_later_edited_copy(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Lumora SA")
    _, rival = make_holder("Other Brand")
    product_id, _ = register_with_image(client, holder, seed=11)
    officer = make_key("officer", name="port officer")
    fake = phone_photo(11, shot=5)
    check = _counterfeit_check(client, officer, jpeg(fake, gps=True))
    # The outcome counts where screening outcomes count.
    screening = client.get(f"/v1/screenings/{check['screening_id']}", headers=officer).json()
    assert screening["outcome"]["outcome"] == "counterfeit"

    listed = client.get("/v1/proposed-references", headers=holder).json()
    assert [p["product_id"] for p in listed["items"]] == [product_id]
    proposal = listed["items"][0]
    assert client.get("/v1/proposed-references", headers=rival).json()["items"] == []
    assert (
        client.post(f"/v1/proposed-references/{proposal['id']}/accept", headers=rival).status_code
        == 404
    )
    assert (
        client.post(f"/v1/proposed-references/{proposal['id']}/accept", headers=officer).status_code
        == 403
    )
    photo = client.get(str(proposal["photo_url"]), headers=holder)
    assert photo.status_code == 200
    assert len(Image.open(io.BytesIO(photo.content)).getexif()) == 0

    accepted = client.post(f"/v1/proposed-references/{proposal['id']}/accept", headers=holder)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    image_id = accepted.json()["reference_image_id"]
    images = client.get(f"/v1/products/{product_id}/images", headers=holder).json()
    assert {i["id"]: i["kind"] for i in images}[image_id] == "counterfeit"
    again = client.post(f"/v1/proposed-references/{proposal['id']}/accept", headers=holder)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")

    # A later declaration carries a mirrored, downsized copy of the fake's photo.
    edited = ImageOps.mirror(fake).resize((fake.width // 2, fake.height // 2))
    declared = client.post(
        "/v1/screenings",
        headers=make_key("customs", name="customs system"),
        json={
            "description": "face cream",
            "images": [{"data": base64.b64encode(jpeg(edited)).decode("ascii")}],
        },
    )
    assert declared.status_code == 201, declared.text
    result = declared.json()
    assert result["matches"][0]["product_id"] == product_id
    names = {s["name"] for s in result["matches"][0]["signals"]}
    assert "image_copy_of_counterfeit" in names
    assert result["lane"] == "red"


def test_a_rejected_fake_is_not_indexed_and_other_outcomes_propose_nothing(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Lumora SA")
    product_id, _ = register_with_image(client, holder, seed=12)
    officer = make_key("officer", name="port officer")
    _counterfeit_check(client, officer, jpeg(phone_photo(12, shot=6)), product_id=product_id)
    proposal = client.get("/v1/proposed-references", headers=holder).json()["items"][0]
    rejected = client.post(f"/v1/proposed-references/{proposal['id']}/reject", headers=holder)
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert client.get("/v1/proposed-references", headers=holder).json()["items"] == []
    decided = client.get("/v1/proposed-references?status=rejected", headers=holder).json()
    assert [p["id"] for p in decided["items"]] == [proposal["id"]]
    images = client.get(f"/v1/products/{product_id}/images", headers=holder).json()
    assert [i["kind"] for i in images] == ["genuine"]

    made = client.post(
        "/v1/checks",
        headers=officer,
        files={"photo": ("ok.jpg", jpeg(phone_photo(12, shot=7)), "image/jpeg")},
    ).json()
    genuine = client.post(
        f"/v1/checks/{made['id']}/outcome", headers=officer, json={"outcome": "genuine"}
    )
    assert genuine.status_code == 200
    assert client.get("/v1/proposed-references", headers=holder).json()["items"] == []
    wrong = client.post(
        f"/v1/checks/{made['id']}/outcome",
        headers=officer,
        json={"outcome": "counterfeit", "product_id": "0192f000-0000-7000-8000-000000000000"},
    )
    assert wrong.status_code == 422
