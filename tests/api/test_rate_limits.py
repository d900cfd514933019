"""Rate limits: 429 problem+json with Retry-After and X-RateLimit-* per key, and on bad keys.

Limits are per minute here so that a window never rolls over in the middle of a test
on a slow machine. The Redis case runs two apps (as two workers would) against one
Redis and is skipped when nothing answers at 127.0.0.1:6379.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from catalog.core.settings import Settings
from tests.conftest import KeyFactory

REDIS_URL = "redis://127.0.0.1:6379/0"


def limited(settings: Settings, **overrides: Any) -> Settings:
    """The test's settings with small per-minute limits."""
    values = {"rate_limit_officer": "3/minute", "rate_limit_bad_keys": "5/minute", **overrides}
    return settings.model_copy(update=values)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(limited(settings)), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_limited(response: httpx.Response, *, limit: int) -> None:
    """A 429 problem+json saying when to retry and what the window allows."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/rate-limited")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["x-ratelimit-limit"] == str(limit)
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert 1 <= int(response.headers["x-ratelimit-reset"]) <= 60


def test_a_key_past_its_role_limit_gets_429_and_others_do_not(
    client: TestClient, make_key: KeyFactory
) -> None:
    officer, other_officer = make_key("officer"), make_key("officer")
    answers = [client.get("/v1/products", headers=officer) for _ in range(3)]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["x-ratelimit-limit"] for a in answers} == {"3"}
    assert_limited(client.get("/v1/products", headers=officer), limit=3)
    assert_limited(client.post("/v1/screenings", headers=officer, json={}), limit=3)
    # The limit is per key: another officer key still has its whole window.
    assert client.get("/v1/products", headers=other_officer).headers["x-ratelimit-remaining"] == "2"


def test_role_limits_come_from_settings(client: TestClient, make_key: KeyFactory) -> None:
    customs = make_key("customs")  # 100/second by default: ten requests are far from it
    for _ in range(10):
        answer = client.get("/v1/products", headers=customs)
        assert answer.status_code != 429
        assert answer.headers["x-ratelimit-limit"] == "100"


def test_repeated_bad_keys_from_one_address_get_429(
    client: TestClient, make_key: KeyFactory
) -> None:
    good = make_key("customs")
    assert client.get("/v1/products", headers=good).status_code == 403  # known to the cache now
    bad = {"Authorization": "Bearer cm_0123456789ab_" + "y" * 43}
    assert [client.get("/v1/products", headers=bad).status_code for _ in range(5)] == [401] * 5
    refused = client.get("/v1/products", headers=bad)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # A key this worker already knows to be valid is not locked out by its neighbours.
    assert client.get("/v1/products", headers=good).status_code == 403
    # Nor are requests that present no key (health probes): they cost no lookup.
    assert client.get("/healthz").status_code == 200


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_limits_are_shared_across_workers_through_redis(
    settings: Settings, make_key: KeyFactory
) -> None:
    if not _redis_answers():
        pytest.skip("no Redis answering at 127.0.0.1:6379")
    shared = limited(settings, rate_limit_storage=REDIS_URL)
    officer = make_key("officer")  # a new key id: no count from an earlier run
    with (
        TestClient(create_app(shared), raise_server_exceptions=False) as first,
        TestClient(create_app(shared), raise_server_exceptions=False) as second,
    ):
        assert first.get("/v1/products", headers=officer).headers["x-ratelimit-remaining"] == "2"
        assert second.get("/v1/products", headers=officer).headers["x-ratelimit-remaining"] == "1"
        assert first.get("/v1/products", headers=officer).headers["x-ratelimit-remaining"] == "0"
        assert_limited(second.get("/v1/products", headers=officer), limit=3)
