"""Image work bounds: a request's total decoded pixels (413) and a client's jobs in the pool (429).

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
from tests.conftest import KeyFactory
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
