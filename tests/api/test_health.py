"""Liveness, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_and_readyz_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] is True


def test_readyz_reports_a_failing_check(client: TestClient) -> None:
    client.app.state.readiness_checks["index"] = lambda: False  # type: ignore[attr-defined]
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not_ready", "checks": {"database": True, "index": False}}


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/healthz")
    body = client.get("/metrics").text
    assert 'countermark_http_requests_total{method="GET",route="/healthz",status="200"}' in body


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()) >= {"type", "title", "status", "detail"}


def test_openapi_errors_are_problem_json(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert "application/problem+json" in response["content"], (path, method, status)
