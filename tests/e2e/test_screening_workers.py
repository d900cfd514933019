"""`countermark serve --workers 2`: every worker loads its index and sees a new product at once."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from catalog.core.settings import Settings
from tests.conftest import HolderFactory, KeyFactory
from tests.serving import serving

PRODUCT = {"brand": "Acme", "name": "Rocket powered roller skates", "model": "RS-2000"}
ITEM = {"description": "acme rocket powered roller skates rs-2000", "brand": "Acme"}


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The real server with two worker processes on the test's database."""
    strict = {
        "COUNTERMARK_INDEX_CHECK_MS": "0",  # strict: every screening checks the version
        "COUNTERMARK_REFRESH_WAIT_SECONDS": "60",
    }
    with serving(settings, workers=2, extra_env=strict) as base:
        yield base


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
