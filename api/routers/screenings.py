"""Screenings: customs systems and officers score declared items; outcomes of inspections.

The POST routes are `async def` and never touch a request-scoped session: the
index is read in memory and the durable write goes through the group-commit
writer (see catalog/screening.py). The router's lifespan builds the worker's
index in the background; `/readyz` reports `index: false` until it is loaded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError

from api.auth import require_roles
from api.deps import SessionDep
from api.errors import problem_responses
from api.schemas.screening import (
    BatchRequest,
    BatchResult,
    OutcomeIn,
    ScreeningRequest,
    ScreeningResult,
)
from catalog.access.keys import Principal
from catalog.core.errors import DomainError, Unprocessable
from catalog.core.screening_settings import ScreeningSettings, pseudonym_key
from catalog.core.settings import Settings
from catalog.index.worker_index import IndexHolder
from catalog.screening.declared_images import ImageDescriber
from catalog.screening.service import WRITE_ORDER, IndexNotReady, ScreeningService
from catalog.screening.stored_screenings import load_screening, record_outcome, screening_document
from catalog.screening.writer import GroupCommitWriter

log = logging.getLogger(__name__)
Screener = Annotated[Principal, Depends(require_roles("customs", "officer"))]
Customs = Annotated[Principal, Depends(require_roles("customs"))]
Reader = Annotated[Principal, Depends(require_roles("customs", "officer", "admin"))]
_REQUEST = TypeAdapter(ScreeningRequest)


@asynccontextmanager
async def screening_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start this worker's index (loaded in the background), writer and image pool."""
    settings: Settings = app.state.settings
    config: ScreeningSettings = getattr(app.state, "screening_settings", None) or ScreeningSettings(
        data_dir=settings.data_dir
    )
    database = app.state.db
    app.state.screening = None
    try:
        holder = IndexHolder(
            engine=database.engine,
            check_interval=config.index_check_ms / 1000.0,
            refresh_wait=config.refresh_wait_seconds,
        )
        service = ScreeningService(
            holder=holder,
            writer=GroupCommitWriter(
                engine=database.write_engine,
                max_batch=config.writer_max_batch,
                table_order=WRITE_ORDER,
            ),
            describer=ImageDescriber(
                workers=config.image_workers,
                max_pixels=min(config.image_max_pixels, settings.max_image_pixels),
                reduce_to=config.image_reduce_to,
            ),
            pseudonym_key=pseudonym_key(config),
        )
    except Exception:  # the engine cannot load: the catalogue API still serves, screening 503s
        log.exception("the screening service cannot start")
        app.state.readiness_checks["index"] = lambda: False
        yield
        return
    service.writer.start()
    app.state.screening = service
    app.state.readiness_checks["index"] = lambda: holder.ready
    # A daemon thread: a worker stopped while still loading exits at once.
    loader = threading.Thread(target=_load, args=(holder,), name="index-load", daemon=True)
    loader.start()
    # A small catalogue is ready before the first request; a large one keeps loading behind.
    await asyncio.to_thread(loader.join, config.startup_wait_seconds)
    try:
        yield
    finally:
        service.writer.stop()
        service.describer.close()
        holder.stop()


def _load(holder: IndexHolder) -> None:
    try:
        holder.load()
    except Exception as exc:  # keep serving /healthz; /readyz stays false and says why in logs
        holder.load_error = str(exc)
        log.exception("loading the screening index failed")
        return
    # uvicorn's own logger is configured to print INFO: operators (and the bench) see this line.
    logging.getLogger("uvicorn.error").info(
        "index loaded: %d products, %d images, catalogue version %d, in %.2f s",
        len(holder.index),
        len(holder.index.images),
        holder.catalog_version,
        holder.load_seconds or 0.0,
    )


router = APIRouter(prefix="/v1/screenings", tags=["screenings"], lifespan=screening_lifespan)


def _service(request: Request) -> ScreeningService:
    service: ScreeningService | None = request.app.state.screening
    if service is None:
        raise IndexNotReady("screening is unavailable on this worker (see its log)")
    return service


def _json(document: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json", headers=headers)


@router.post(
    "",
    status_code=201,
    response_model=ScreeningResult,
    responses=problem_responses(401, 403, 409, 413, 422, 503),
)
async def screen(body: ScreeningRequest, principal: Screener, request: Request) -> Response:
    """Score one declared item: risk, verdict, lane and the registered products it implicates.

    Only `description` is required. Images go as base64 `data` or as precomputed
    perceptual hashes (`phash` ...). The result is stored; read it again by id.
    """
    document = await _service(request).screen(body.model_dump(mode="json"), principal=principal)
    return _json(document, status=201, headers={"Location": f"/v1/screenings/{document['id']}"})


def _problem(exc: DomainError) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "type": exc.type,
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
    }
    if exc.errors is not None:
        problem["errors"] = exc.errors
    return problem


def _validate(item: dict[str, Any]) -> dict[str, Any] | DomainError:
    try:
        return _REQUEST.validate_python(item).model_dump(mode="json")
    except ValidationError as exc:
        errors = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
        return Unprocessable(
            f"{len(errors)} invalid field(s); first: {where}: {errors[0]['msg'] if errors else ''}",
            errors=errors,
            slug="validation-error",
        )


@router.post(
    "/batch",
    response_model=BatchResult,
    responses=problem_responses(401, 403, 409, 413, 422, 503),
)
async def screen_batch(body: BatchRequest, principal: Customs, request: Request) -> Response:
    """Score up to 1000 items; answers come in item order, an invalid item as its own problem."""
    items = [_validate(item) for item in body.items]
    answers = await _service(request).screen_batch(items, principal=principal)
    results = [
        {"index": i, "status": a.status, "result": None, "problem": _problem(a)}
        if isinstance(a, DomainError)
        else {"index": i, "status": 201, "result": a, "problem": None}
        for i, a in enumerate(answers)
    ]
    return _json({"results": results})


@router.get(
    "/{screening_id}", response_model=ScreeningResult, responses=problem_responses(401, 403, 404)
)
def read(screening_id: str, principal: Reader, session: SessionDep) -> Response:
    """A stored screening result, with the latest inspection outcome (its client or an admin)."""
    screening = load_screening(session, screening_id=screening_id, principal=principal)
    return _json(screening_document(session, screening=screening))


@router.post(
    "/{screening_id}/outcome",
    response_model=ScreeningResult,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def outcome(
    screening_id: str, body: OutcomeIn, principal: Screener, session: SessionDep
) -> Response:
    """Record what an inspection found: `counterfeit`, `genuine` or `inconclusive`, and a note."""
    document = record_outcome(
        session,
        screening_id=screening_id,
        principal=principal,
        outcome=body.outcome,
        note=body.note,
    )
    return _json(document)
