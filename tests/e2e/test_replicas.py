"""Two `countermark serve` replicas on one PostgreSQL behave as one service.

A product registered through either is matched by the other within a second (the
catalogue change reaches every replica by LISTEN/NOTIFY), an Idempotency-Key used on
one is honoured by the other (the claims are rows in the shared database) and a key's
rate limit is one count across both (kept in Redis, as a deployment with replicas
configures it). The compose file runs such a deployment.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from catalog.core.settings import Settings
from tests.conftest import BACKEND, HolderFactory, KeyFactory
from tests.serving import serving

REDIS = ("127.0.0.1", 6379)
REPO = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def replicas(settings: Settings) -> Iterator[tuple[str, str]]:
    """Two replicas, each its own `countermark serve`, sharing the database and Redis."""
    if BACKEND != "postgresql":
        pytest.skip("replicas share a PostgreSQL database")
    if not _redis_up():
        pytest.skip("replicas count rate limits in Redis; none at 127.0.0.1:6379")
    env = {
        "COUNTERMARK_RATE_LIMIT_STORAGE": f"redis://{REDIS[0]}:{REDIS[1]}",
        "COUNTERMARK_RATE_LIMIT_OFFICER": "6/minute",
    }
    with (
        serving(settings, workers=1, extra_env=env) as a,
        serving(settings, workers=1, extra_env=env) as b,
    ):
        yield a, b


def _screen(base: str, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{base}/v1/screenings", json=body, headers=headers, timeout=30)


def test_two_replicas_behave_as_one_service(
    replicas: tuple[str, str], make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    a, b = replicas
    _, holder = make_holder("Nike Inc.")
    customs = make_key("customs")
    declared = {"description": "nike air zoom pegasus 40 running shoe", "brand": "Nike"}
    for base in replicas:  # a replica's first screening pays for loading what it needs
        assert _screen(base, customs, {"description": "warm-up"}).status_code == 201
    for one, other in ((a, b), (b, a)):
        name = f"Air Zoom Pegasus {40 if one == a else 41} running shoe"
        body = {"brand": "Nike", "name": name, "hs_codes": ["640411"]}
        made = httpx.post(f"{one}/v1/products", json=body, headers=holder, timeout=30)
        assert made.status_code == 201, made.text
        registered = time.monotonic()
        product_id = made.json()["id"]
        ask = declared | {"description": f"nike {name.lower()}"}
        # within 1 s of the 201, a screening sent to the other replica matches the product
        # (timed when sent: on a busy machine the answer itself may take longer)
        while True:
            sent = time.monotonic() - registered
            answer = _screen(other, customs, ask)
            assert answer.status_code == 201, answer.text
            if product_id in {m["product_id"] for m in answer.json()["matches"]}:
                break
            assert sent <= 1.0, f"the other replica had not matched it {sent:.2f} s after"
            time.sleep(0.05)
        assert sent <= 1.0

    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = _screen(a, customs | key, declared)
    assert first.status_code == 201
    again = _screen(b, customs | key, declared)
    assert again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    reused = _screen(b, customs | key, declared | {"description": "another item"})
    assert reused.status_code == 422

    officer = make_key("officer")
    statuses = [_screen((a, b)[i % 2], officer, declared).status_code for i in range(8)]
    assert statuses[:6] == [201] * 6  # 6 a minute for the key, counted once for both
    assert statuses[6:] == [429, 429]


def test_the_compose_file_runs_replicas_behind_one_entry_point() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    api = services["api"]
    assert "replicas" in api["deploy"]
    assert "ports" not in api  # replicas share no host port: the load balancer has it
    assert services["lb"]["ports"] == ["8000:8000"]
    assert "server api:8000" in compose["configs"]["lb"]["content"]
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    env = api["environment"]
    assert env["COUNTERMARK_RATE_LIMIT_STORAGE"].startswith("redis://")
    fields = set(Settings.model_fields)
    for name in env:  # a misspelt variable would be ignored silently
        assert name.removeprefix("COUNTERMARK_").lower() in fields, name
