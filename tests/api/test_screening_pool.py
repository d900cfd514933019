"""The one image pool: declared images and uploads share it, and it survives a dead worker."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from catalog.core.settings import Settings
from tests.api.helpers import register, upload_image
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import jpeg_base64, pattern_image, screening_client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client with a real one-process image pool, once the index is loaded."""
    with screening_client(settings, image_workers=1) as test_client:
        yield test_client


def _pool_processes(before: set[int | None]) -> list[multiprocessing.Process]:
    # The app runs in this process: its pool workers are this process's new children.
    return [p for p in multiprocessing.active_children() if p.pid not in before]


def test_a_killed_pool_worker_is_replaced_and_the_next_image_is_screened(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    before = {p.pid for p in multiprocessing.active_children()}  # e.g. an earlier test's pool
    _, holder = make_holder("Nike")
    product_id = register(client, holder)
    photo = pattern_image(7)
    upload_image(client, holder, product_id, photo)
    customs = make_key("customs")
    item = {"description": "shoes", "images": [{"data": jpeg_base64(photo)}]}
    app_state = client.app.state  # type: ignore[attr-defined]

    first = client.post("/v1/screenings", headers=customs, json=item)
    assert first.status_code == 201, first.text
    workers = _pool_processes(before)
    assert len(workers) == 1, "the upload and the declared image share one pool process"
    assert app_state.image_processor is app_state.screening.images  # one pool for both

    assert workers[0].pid is not None
    os.kill(workers[0].pid, signal.SIGKILL)
    workers[0].join(timeout=30)
    again = client.post("/v1/screenings", headers=customs, json=item)
    upload_again = upload_image(client, holder, product_id, pattern_image(8))

    assert again.status_code == 201, again.text
    assert again.json()["matches"][0]["product_id"] == product_id
    assert upload_again["hashes"]["phash"]
    replacement = _pool_processes(before)
    assert len(replacement) == 1
    assert replacement[0].pid != workers[0].pid
    assert replacement[0].is_alive()
