"""`countermark serve` as a real process on a free port, spoken to over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from catalog.access.keys import CLI_ACTOR, create_key
from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.products.rights_holders import create_rights_holder
from tests.api.helpers import jpeg_bytes, png_bomb, product_body
from tests.serving import serving


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    with serving(settings, workers=1) as base:
        yield base


def test_two_workers_serve_and_share_metrics(settings: Settings) -> None:
    with serving(settings, workers=2) as base:
        for _ in range(10):
            assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
        # /metrics counts every request, whichever worker served it.
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
    line = 'countermark_http_requests_total{method="GET",route="/healthz",status="200"}'
    counted = [row for row in metrics.splitlines() if row.startswith(line)]
    assert counted
    assert float(counted[0].split()[-1]) == 10.0


def test_served_api_over_http(server: str, database: Database) -> None:
    with database.session() as session:
        holder_id = create_rights_holder(session, actor=CLI_ACTOR, name="Nike Inc.").id
        _, token = create_key(
            session, actor=CLI_ACTOR, role="rights_holder", name="t", rights_holder_id=holder_id
        )
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server, headers=headers, timeout=30) as client:
        product = client.post("/v1/products", json=product_body())
        assert product.status_code == 201
        product_id = product.json()["id"]
        uploaded = client.post(
            f"/v1/products/{product_id}/images",
            files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")},
            data={"kind": "genuine"},
        )
        assert uploaded.status_code == 201
        assert set(uploaded.json()["hashes"]) >= {"phash", "dhash", "whash", "colorhash"}
        bomb = client.post(
            f"/v1/products/{product_id}/images",
            files={"file": ("bomb.png", png_bomb(), "image/png")},
            data={"kind": "genuine"},
        )
        assert bomb.status_code == 422
        assert bomb.headers["content-type"] == "application/problem+json"
        assert client.get("/v1/products?q=pegasus").json()["items"][0]["id"] == product_id
        assert httpx.get(f"{server}/v1/products", timeout=10).status_code == 401
        assert httpx.get(f"{server}/healthz", timeout=10).json() == {"status": "ok"}
        assert "countermark_http_requests_total" in httpx.get(f"{server}/metrics", timeout=10).text
