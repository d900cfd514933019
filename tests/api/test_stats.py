"""`GET /v1/stats` over HTTP: admin only, problem+json for a bad window, the report's shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import HolderFactory, KeyFactory


def test_stats_is_for_admins(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> None:
    assert client.get("/v1/stats").status_code == 401
    _, holder = make_holder("Nike")
    for headers in (holder, make_key("customs"), make_key("officer")):
        response = client.get("/v1/stats", headers=headers)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")


def test_stats_report_and_window(client: TestClient, admin_headers: dict[str, str]) -> None:
    body = client.get("/v1/stats", headers=admin_headers).json()
    assert body["total"] == {
        "screenings": 0, "outcomes": 0, "counterfeits": 0,
        "hit_rate": None, "hit_rate_low": None, "hit_rate_high": None,
    }  # fmt: skip
    assert set(body["flags"]) == {"never_matched", "no_images", "expiring_soon", "expired"}
    reversed_window = client.get(
        "/v1/stats",
        headers=admin_headers,
        params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    )
    assert reversed_window.status_code == 422
    assert reversed_window.headers["content-type"].startswith("application/problem+json")
    bad = client.get("/v1/stats", headers=admin_headers, params={"since": "yesterday"})
    assert bad.status_code == 422
