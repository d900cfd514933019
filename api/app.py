"""The FastAPI application factory: every part of the service is wired here, from one Settings.

Routers are listed in ROUTERS: a new part of the API adds one line there. The app's
one lifespan starts and stops what outlives a request: the image pool, the screening
service (index, group-commit writer) and the database; readiness checks go in
`app.state.readiness_checks` (name -> callable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.auth import KeyCache
from api.errors import install_error_handlers, rewrite_problem_media_types
from api.logs import configure_logging
from api.middleware.edge import EdgeMiddleware
from api.middleware.idempotency import IdempotencyMiddleware
from api.middleware.rate_limit import RateLimitMiddleware
from api.middleware.shedding import WriteSheddingMiddleware
from api.routers import (
    alerts,
    api_keys,
    brand_aliases,
    brands,
    checks,
    docs,
    evidence,
    fx_rates,
    health,
    images,
    imports,
    officer,
    products,
    proposed_references,
    rights_holders,
    screenings,
    stats,
    webhooks,
)
from api.routers import settings as scoring_settings
from catalog.access import idempotency
from catalog.access.rate_limits import rate_limiter_from_settings
from catalog.core.blobs import BlobStore
from catalog.core.db import Database, create_database
from catalog.core.pool import ImageProcessor
from catalog.core.settings import Settings, pseudonym_secret
from catalog.index.snapshot import SnapshotStore
from catalog.index.worker_index import IndexHolder
from catalog.screening.service import WRITE_ORDER, ScreeningService
from catalog.screening.writer import GroupCommitWriter
from catalog.webhooks.delivery import WebhookSender
from matchers.text.index import defer_compiled_kernel, load_compiled_kernel

ROUTERS: list[APIRouter] = [
    screenings.router,  # first: the hot path is matched against the fewest routes
    health.router,
    rights_holders.router,
    api_keys.router,
    brands.router,
    products.router,
    imports.router,
    images.router,
    brand_aliases.router,
    fx_rates.router,
    scoring_settings.router,
    alerts.router,
    stats.router,
    webhooks.router,
    evidence.router,
    docs.router,
    checks.router,
    proposed_references.router,
    officer.router,
]

VERSION = "0.1.0"
log = logging.getLogger("countermark.api")


def create_app(settings: Settings) -> FastAPI:
    """Build the app for `settings`; every part gets its configuration from them."""
    configure_logging(settings.log_format)
    database = create_database(settings)
    images = ImageProcessor(
        workers=settings.image_workers,
        max_pixels=settings.max_image_pixels,
        declared_max_pixels=settings.declared_image_max_pixels,
        reduce_to=settings.image_reduce_to,
        per_client=settings.image_jobs_per_client,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_purge_idempotency, database, settings)
        try:
            async with (
                _screening(app, settings=settings, database=database, images=images),
                _webhook_sender(settings=settings, database=database),
            ):
                yield
        finally:
            images.close()
            database.dispose()

    app = FastAPI(
        title="Countermark",
        version=VERSION,
        summary="Counterfeit-product verification: register products, screen declared items.",
        lifespan=lifespan,
        # /docs and /redoc are served with bundled assets by api/routers/docs.py
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.blobs = BlobStore(settings.blob_dir)
    app.state.key_cache = KeyCache(ttl_seconds=settings.api_key_cache_ttl_seconds)
    app.state.image_processor = images
    app.state.screening = None
    app.state.readiness_checks = {}
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # Added last runs first: the edge (request id, body cap, metrics) wraps everything.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(
        WriteSheddingMiddleware,
        max_concurrent=settings.max_concurrent_writes,
        wait_seconds=settings.write_wait_seconds,
        retry_after=settings.retry_after_seconds,
    )
    app.add_middleware(RateLimitMiddleware, limiter=rate_limiter_from_settings(settings))
    # outermost: request id (every log line of a request has it), body cap and metrics
    app.add_middleware(EdgeMiddleware, max_bytes=settings.max_body_bytes)
    app.openapi = _problem_openapi(app)  # type: ignore[method-assign]
    return app


@asynccontextmanager
async def _webhook_sender(*, settings: Settings, database: Database) -> AsyncIterator[None]:
    """Run this worker's webhook sender (signed alerts, retries) while the app serves."""
    sender = WebhookSender(database=database, settings=settings)
    task = asyncio.create_task(sender.run(), name="webhook-sender")
    try:
        yield
    finally:
        sender.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=settings.webhook_timeout_seconds + 5)


def create_app_from_env() -> FastAPI:
    """The app configured from COUNTERMARK_* environment variables (uvicorn's factory)."""
    return create_app(Settings())


def _purge_idempotency(database: Database, settings: Settings) -> None:
    # Housekeeping at start: stored responses older than the TTL are no longer replayed.
    try:
        idempotency.purge(database, older_than=timedelta(hours=settings.idempotency_ttl_hours))
    except SQLAlchemyError:
        log.warning("could not purge old idempotency records", exc_info=True)


@asynccontextmanager
async def _screening(
    app: FastAPI, *, settings: Settings, database: Database, images: ImageProcessor
) -> AsyncIterator[None]:
    # This worker's screening service: its index loads in the background meanwhile.
    try:
        holder = IndexHolder(
            engine=database.engine,
            check_interval=settings.index_check_ms / 1000.0,
            refresh_wait=settings.refresh_wait_seconds,
            snapshots=_snapshot_store(settings, database),
        )
        writer = GroupCommitWriter(
            engine=database.write_engine,
            max_batch=settings.writer_max_batch,
            table_order=WRITE_ORDER,
        )
        service = ScreeningService(
            holder=holder,
            writer=writer,
            images=images,
            pseudonym_key=pseudonym_secret(settings),
            pixels_per_request=settings.image_pixels_per_request,
        )
    except Exception:  # the engine cannot load: the catalogue API still serves, screening 503s
        log.exception("the screening service cannot start")
        app.state.readiness_checks["index"] = lambda: False
        yield
        return
    writer.start()
    app.state.screening = service
    app.state.readiness_checks["index"] = lambda: holder.ready
    # numba's set-up (~0.6 s of CPU) waits until the index is loaded: searches before that take
    # the text index's numpy path, whose results are the same.
    defer_compiled_kernel()
    # A daemon thread: a worker stopped while still loading exits at once.
    loader = threading.Thread(target=_load_index, args=(holder,), name="index-load", daemon=True)
    loader.start()
    # A small catalogue is ready before the first request; a large one keeps loading behind.
    await asyncio.to_thread(loader.join, settings.startup_wait_seconds)
    try:
        yield
    finally:
        app.state.screening = None
        writer.stop()
        holder.stop()


def _snapshot_store(settings: Settings, database: Database) -> SnapshotStore | None:
    if not settings.index_snapshot:
        return None
    url = database.engine.url.render_as_string(hide_password=True)
    return SnapshotStore(settings.data_dir / "index", database=url)


def _load_index(holder: IndexHolder) -> None:
    # Retried with backoff while the database is down; /readyz stays 503 until it loads.
    if not holder.load_retrying():
        return
    # uvicorn's own logger is configured to print INFO: operators (and the bench) see this line.
    logging.getLogger("uvicorn.error").info(
        "index loaded: %d products, %d images, catalogue version %d, in %.2f s (from the %s)",
        len(holder.index),
        len(holder.index.images),
        holder.catalog_version,
        holder.load_seconds or 0.0,
        holder.load_source,
    )
    # Ready: now the compiled text kernel (from numba's disk cache; ~0.6 s of CPU, during which
    # searches take the numpy path) on a thread of its own: the start-up's join on this one
    # (`startup_wait_seconds`) does not wait for it, and no request does.
    threading.Thread(target=_load_kernel, name="text-kernel", daemon=True).start()


def _load_kernel() -> None:
    started = time.perf_counter()
    load_compiled_kernel()
    logging.getLogger("uvicorn.error").info(
        "compiled text kernel loaded in %.2f s", time.perf_counter() - started
    )


def _problem_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, model in screenings.request_components().items():
                components.setdefault(name, model)  # the raw-body route's request model
            app.openapi_schema = rewrite_problem_media_types(schema)
        return app.openapi_schema

    return openapi
