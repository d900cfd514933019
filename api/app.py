"""The FastAPI application factory.

Routers are listed in ROUTERS: a new part of the API adds one line there. A router
that needs start-up work gives itself a `lifespan` (FastAPI merges router lifespans
into the app's); readiness checks go in `app.state.readiness_checks` (name -> callable).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.auth import KeyCache
from api.errors import install_error_handlers, rewrite_problem_media_types
from api.middleware.body_limit import BodyLimitMiddleware
from api.middleware.idempotency import IdempotencyMiddleware
from api.middleware.metrics import MetricsMiddleware
from api.routers import (
    alerts,
    api_keys,
    brand_aliases,
    checks,
    fx_rates,
    health,
    images,
    imports,
    officer,
    products,
    proposed_references,
    rights_holders,
    screenings,
)
from api.routers import settings as scoring_settings
from catalog.access import idempotency
from catalog.core.blobs import BlobStore
from catalog.core.db import Database, create_database
from catalog.core.pool import ImageProcessor
from catalog.core.settings import Settings

ROUTERS: list[APIRouter] = [
    health.router,
    rights_holders.router,
    api_keys.router,
    products.router,
    imports.router,
    images.router,
    brand_aliases.router,
    screenings.router,
    fx_rates.router,
    scoring_settings.router,
    alerts.router,
    checks.router,
    proposed_references.router,
    officer.router,
]

VERSION = "0.1.0"
log = logging.getLogger("countermark.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for `settings` (read from the environment when omitted)."""
    settings = settings or Settings()
    database = create_database(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_purge_idempotency, database, settings)
        yield
        app.state.image_processor.close()
        database.dispose()

    app = FastAPI(
        title="Countermark",
        version=VERSION,
        summary="Counterfeit-product verification: register products, screen declared items.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.blobs = BlobStore(settings.blob_dir)
    app.state.key_cache = KeyCache(ttl_seconds=settings.api_key_cache_ttl_seconds)
    app.state.image_processor = ImageProcessor(
        workers=settings.image_workers, max_pixels=settings.max_image_pixels
    )
    app.state.readiness_checks = {}
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # Added last runs first: the body cap wraps everything, metrics see every response.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.openapi = _problem_openapi(app)  # type: ignore[method-assign]
    return app


def create_app_from_env() -> FastAPI:
    """The app configured from COUNTERMARK_* environment variables (uvicorn's factory)."""
    return create_app(Settings())


def _purge_idempotency(database: Database, settings: Settings) -> None:
    # Housekeeping at start: stored responses older than the TTL are no longer replayed.
    try:
        idempotency.purge(database, older_than=timedelta(hours=settings.idempotency_ttl_hours))
    except SQLAlchemyError:
        log.warning("could not purge old idempotency records", exc_info=True)


def _problem_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite_problem_media_types(original())
        return app.openapi_schema

    return openapi
