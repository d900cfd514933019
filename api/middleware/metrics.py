"""Prometheus metrics: HTTP figures here, engine figures in catalog.index.engine_metrics.

With `PROMETHEUS_MULTIPROC_DIR` set before start (`countermark serve --workers N` sets
it), every worker writes its samples there and `/metrics` aggregates them all.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import Scope

REQUESTS = Counter(
    "countermark_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
LATENCY = Histogram(
    "countermark_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def render_metrics() -> tuple[bytes, str]:
    """The exposition text of every metric (of all workers in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def record_request(scope: Scope, status: int, seconds: float) -> None:
    """Count and time one HTTP request, labelled by its route template (set in the scope by
    the router), not the raw path, so ids do not explode the label set."""
    route = str(getattr(scope.get("route"), "path", "unmatched"))
    method = scope.get("method", "")
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
