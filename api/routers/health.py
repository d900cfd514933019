"""Liveness, readiness and Prometheus metrics (no key needed)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.middleware.metrics import render_metrics
from api.schemas.health import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "not ready"}},
)
async def readyz(request: Request) -> JSONResponse:
    """Ready to serve: the database answers and every registered readiness check passes.

    Other parts register checks in `app.state.readiness_checks` (name -> callable).
    """
    checks: dict[str, bool] = {"database": await run_in_threadpool(request.app.state.db.ping)}
    extra: dict[str, Callable[[], bool]] = request.app.state.readiness_checks
    for name, check in extra.items():
        try:
            checks[name] = bool(check())
        except Exception:
            checks[name] = False
    ready = all(checks.values())
    body = Readiness(status="ready" if ready else "not_ready", checks=checks)
    if ready:
        return JSONResponse(body.model_dump())
    retry_after = str(request.app.state.settings.retry_after_seconds)
    return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": retry_after})


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics() -> Response:
    """Prometheus exposition: HTTP figures, and the engine's (index per worker, screenings)."""
    body, content_type = render_metrics()
    return Response(body, media_type=content_type)
