"""`countermark serve --workers 2`: every worker loads its index and sees a new product at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog.settings import Settings
from tests.conftest import HolderFactory, KeyFactory

PRODUCT = {"brand": "Acme", "name": "Rocket powered roller skates", "model": "RS-2000"}
ITEM = {"description": "acme rocket powered roller skates rs-2000", "brand": "Acme"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The real server with two worker processes on the test's database."""
    port = _free_port()
    env = {
        **os.environ,
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
        "COUNTERMARK_INDEX_CHECK_MS": "0",  # strict: every screening checks the version
        "COUNTERMARK_REFRESH_WAIT_SECONDS": "60",
    }
    command = [str(Path(sys.executable).with_name("countermark")), "serve"]
    proc = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the server exited"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the server did not become ready")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def test_every_worker_matches_a_product_registered_a_moment_ago(
    server: str, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    _, holder = make_holder("Acme Corp")
    customs = make_key("customs")
    with httpx.Client(base_url=server, timeout=30) as client:
        created = client.post("/v1/products", headers=holder, json=PRODUCT)
        assert created.status_code == 201, created.text
        product_id = created.json()["id"]
        versions = set()
        for _ in range(12):
            # A fresh connection each time, so the kernel spreads them over both workers.
            with httpx.Client(base_url=server, timeout=30) as fresh:
                response = fresh.post("/v1/screenings", headers=customs, json=ITEM)
                assert response.status_code == 201, response.text
                assert [m["product_id"] for m in response.json()["matches"]][:1] == [product_id]
                versions.add(response.json()["catalog_version"])
        assert len(versions) == 1
