"""Image work bounds: a request's total decoded pixels (413) and a client's jobs in the pool (429),
on every route that decodes images: screenings, officers' checks, reference uploads.

The issue's case: eight 36 MP PNGs compress into a body of about 400 KiB yet took 11 s
of image work; they are now refused from their headers, before any decoding.
"""

from __future__ import annotations

import asyncio
import base64
import io
import struct
import zlib
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from catalog.access.keys import resolve_key
from catalog.core.db import Database
from catalog.core.errors import ContentTooLarge, TooManyRequests
from catalog.core.pool import ClientImageJobs
from catalog.core.settings import Settings
from catalog.screening.declared_images import check_pixel_budget, decoded_pixels
from tests.api.checkkit import product_fields
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

PROBLEM = "application/problem+json"
SIDE = 6000  # 36 MP


@cache
def big_png(side: int = SIDE) -> bytes:
    """A black `side` x `side` greyscale PNG: 36 MP that compress to about 35 KiB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = bytes((side + 1) * side)  # each row: filter byte 0 and black pixels
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def small_jpeg() -> str:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode("ascii")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The service with the production caps: 40 MP an image, 100 MP a request, 1 job a client."""
    with screening_client(
        settings, image_max_pixels=40_000_000, image_jobs_per_client=1
    ) as test_client:
        yield test_client


def _item(images: list[dict[str, Any]]) -> dict[str, Any]:
    return {"description": "nike air zoom pegasus 40 running shoe", "images": images}


def test_eight_36_mp_pngs_in_a_small_body_are_refused_before_decoding(
    client: TestClient, make_key: KeyFactory
) -> None:
    png = base64.b64encode(big_png()).decode("ascii")
    body = _item([{"data": png}] * 8)
    response = client.post("/v1/screenings", headers=make_key("customs"), json=body)

    assert len(png) * 8 < 400 * 1024
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["type"].endswith("/image-pixel-budget")
    assert "100,000,000 pixels" in problem["detail"]


def test_the_budget_counts_every_item_of_a_batch(client: TestClient, make_key: KeyFactory) -> None:
    png = base64.b64encode(big_png()).decode("ascii")
    under = client.post(
        "/v1/screenings/batch",
        headers=make_key("customs"),
        json={"items": [_item([{"data": small_jpeg()}]), _item([{"phash": "0" * 16}])]},
    )
    over = client.post(
        "/v1/screenings/batch",
        headers=make_key("customs"),
        json={"items": [_item([{"data": png}]) for _ in range(3)]},  # 108 MP
    )

    assert under.status_code == 200, under.text
    assert [r["status"] for r in under.json()["results"]] == [201, 201]
    assert over.status_code == 413, over.text
    assert over.json()["type"].endswith("/image-pixel-budget")


def test_a_client_with_its_image_jobs_running_gets_429_and_others_do_not(
    client: TestClient, make_key: KeyFactory, database: Database
) -> None:
    busy, other = make_key("customs"), make_key("customs")
    with database.session(write=False) as session:
        principal = resolve_key(session, token=busy["Authorization"].split()[1])
    assert principal is not None
    jobs = client.app.state.screening.images.client_jobs  # type: ignore[attr-defined]
    portal = client.portal  # type: ignore[attr-defined]
    held = portal.call(_hold, jobs, principal.client_id)  # its one slot, taken on the app's loop
    try:
        refused = client.post("/v1/screenings", headers=busy, json=_item([{"data": small_jpeg()}]))
        hashes_only = client.post("/v1/screenings", headers=busy, json=_item([{"phash": "0" * 16}]))
        served = client.post("/v1/screenings", headers=other, json=_item([{"data": small_jpeg()}]))
    finally:
        portal.call(_release, held)
    again = client.post("/v1/screenings", headers=busy, json=_item([{"data": small_jpeg()}]))

    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["type"].endswith("/too-many-image-jobs")
    assert hashes_only.status_code == 201, hashes_only.text  # no image work: not limited
    assert served.status_code == 201, served.text
    assert again.status_code == 201, again.text


async def _hold(jobs: ClientImageJobs, client_id: str) -> tuple[Any, asyncio.Semaphore]:
    admitted = jobs.request(client_id)
    slots = await admitted.__aenter__()
    await slots.acquire()
    return admitted, slots


async def _release(held: tuple[Any, asyncio.Semaphore]) -> None:
    admitted, slots = held
    slots.release()
    await admitted.__aexit__(None, None, None)


def test_a_request_s_own_jobs_take_turns_on_its_client_s_slots() -> None:
    async def run() -> tuple[int, bool]:
        jobs = ClientImageJobs(2)
        peak = running = 0

        async def job(slots: asyncio.Semaphore) -> None:
            nonlocal peak, running
            async with slots:
                running += 1
                peak = max(peak, running)
                await asyncio.sleep(0.01)
                running -= 1

        async with jobs.request("a") as slots:
            work = asyncio.gather(*(job(slots) for _ in range(6)))
            await asyncio.sleep(0.005)
            try:
                async with jobs.request("a"):
                    second_admitted = True
            except TooManyRequests:
                second_admitted = False
            await work
        return peak, second_admitted

    peak, second_admitted = asyncio.run(run())
    assert peak == 2
    assert second_admitted is False


def test_pixels_are_read_from_headers_and_jpegs_count_as_reduced() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000)).save(out, "JPEG")
    jpeg = out.getvalue()

    assert decoded_pixels(big_png(), reduce_to=512) == SIDE * SIDE
    # Draft mode decodes at the smallest 1/2^k scale whose sides stay >= 512: 1/4 here.
    assert decoded_pixels(jpeg, reduce_to=512) == 1000 * 750
    assert decoded_pixels(jpeg, reduce_to=4000) == 4000 * 3000
    assert decoded_pixels(b"not an image", reduce_to=512) == 0
    assert check_pixel_budget([jpeg] * 4, budget=3_000_000, reduce_to=512) == 4 * 1000 * 750
    with pytest.raises(ContentTooLarge):
        check_pixel_budget([big_png()] * 3, budget=100_000_000, reduce_to=512)


# -- officers' checks and reference uploads: the same two bounds --------------------------


@pytest.fixture
def tight(settings: Settings) -> Iterator[TestClient]:
    """30 MP a request (under the 40 MP an image may have), 1 image job a client."""
    with screening_client(
        settings, image_pixels_per_request=30_000_000, image_jobs_per_client=1
    ) as test_client:
        yield test_client


def _holder_product(
    client: TestClient, make_holder: HolderFactory, brand: str = "Lumora"
) -> tuple[dict[str, str], str]:
    _, headers = make_holder(f"{brand} SA")
    body = product_fields() if brand == "Lumora" else {"brand": brand, "name": f"{brand} cream"}
    made = client.post("/v1/products", headers=headers, json=body)
    assert made.status_code == 201, made.text
    return headers, made.json()["id"]


def _upload(client: TestClient, headers: dict[str, str], product_id: str, data: bytes) -> Any:
    return client.post(
        f"/v1/products/{product_id}/images",
        headers=headers,
        files={"file": ("a.png", data, "image/png")},
        data={"kind": "genuine"},
    )


def _check(client: TestClient, headers: dict[str, str], data: bytes | None, **form: str) -> Any:
    files = {"photo": ("p.png", data, "image/png")} if data is not None else None
    return client.post("/v1/checks", headers=headers, files=files, data=form or None)


def test_a_36_mp_reference_upload_or_check_photo_over_the_budget_is_413_before_decoding(
    tight: TestClient, make_key: KeyFactory, make_holder: HolderFactory, database: Database
) -> None:
    headers, product_id = _holder_product(tight, make_holder)
    officer = make_key("officer")
    stored_before = set(tight.app.state.blobs.root.rglob("*"))  # type: ignore[attr-defined]

    upload = _upload(tight, headers, product_id, big_png())
    check = _check(tight, officer, big_png())
    small = _upload(tight, headers, product_id, _png(64, 48))

    for refused in (upload, check):
        assert refused.status_code == 413, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert refused.json()["type"].endswith("/image-pixel-budget")
        assert "30,000,000 pixels" in refused.json()["detail"]
        assert "this image would decode" in refused.json()["detail"]
    assert small.status_code == 201, small.text  # under the budget: stored
    listed = tight.get(f"/v1/products/{product_id}/images", headers=headers).json()
    assert [i["sha256"] for i in listed] == [small.json()["sha256"]]
    stored_after = set(tight.app.state.blobs.root.rglob("*"))  # type: ignore[attr-defined]
    assert len({p for p in stored_after - stored_before if p.is_file()}) == 1  # the small one


def test_uploads_and_check_photos_of_a_client_with_its_image_jobs_running_get_429(
    tight: TestClient, make_key: KeyFactory, make_holder: HolderFactory, database: Database
) -> None:
    headers, product_id = _holder_product(tight, make_holder)
    other_holder, other_product = _holder_product(tight, make_holder, "Veltro")
    officer, other_officer = make_key("officer"), make_key("officer")
    with database.session(write=False) as session:
        busy = [
            resolve_key(session, token=h["Authorization"].split()[1]) for h in (headers, officer)
        ]
    jobs = tight.app.state.image_processor.client_jobs  # type: ignore[attr-defined]
    portal = tight.portal  # type: ignore[attr-defined]
    held = [portal.call(_hold, jobs, p.client_id) for p in busy if p is not None]
    assert len(held) == 2
    try:
        upload = _upload(tight, headers, product_id, _png(64, 48))
        check = _check(tight, officer, _png(64, 48))
        text_only = _check(tight, officer, None, text="Lumora Glow face cream 50 ml")
        other_upload = _upload(tight, other_holder, other_product, _png(64, 48))
        other_check = _check(tight, other_officer, _png(64, 48))
    finally:
        for h in held:
            portal.call(_release, h)
    upload_again = _upload(tight, headers, product_id, _png(64, 49))
    check_again = _check(tight, officer, _png(64, 48))

    for refused in (upload, check):
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["type"].endswith("/too-many-image-jobs")
    assert text_only.status_code == 201, text_only.text  # no image work: not limited
    for served in (other_upload, other_check, upload_again, check_again):
        assert served.status_code == 201, served.text
    listed = tight.get(f"/v1/products/{product_id}/images", headers=headers).json()
    assert [i["sha256"] for i in listed] == [upload_again.json()["sha256"]]


def test_the_openapi_document_states_both_bounds_on_every_image_route(tight: TestClient) -> None:
    paths = tight.get("/openapi.json").json()["paths"]
    operations = {
        "screen": paths["/v1/screenings"]["post"],
        "check": paths["/v1/checks"]["post"],
        "upload": paths["/v1/products/{product_id}/images"]["post"],
    }
    for name, operation in operations.items():
        for status in ("413", "429"):
            content = operation["responses"][status]["content"]
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}, name
    for name in ("check", "upload"):
        description = operations[name]["description"]
        assert "`image-pixel-budget`" in description, name
        assert "`too-many-image-jobs`" in description, name


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()
