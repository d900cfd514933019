"""Screenings: customs systems and officers score declared items; outcomes of inspections.

The POST routes are `async def` and never touch a request-scoped session: the
index is read in memory and the durable write goes through the group-commit
writer (catalog/screening/service.py). The service is built and started by the
app's lifespan (api/app.py); until it is, these routes answer 503.

Results go out as JSON serialised once (no response-model round trip on the hot
path): a new screening's body is the very text stored in its `result` column
(`ScreeningRecord.document_json`, one orjson call), a batch embeds those texts as
they are, and reads serialise the stored document with orjson too. orjson writes no
NaN or Infinity; tests validate real responses against the schemas and keep key
order and float format to a golden file (tests/api/test_screening_serialisation.py).
"""

from __future__ import annotations

import email.message
import functools
import json
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import Customs, Screener, ScreeningReader, SessionDep
from api.errors import domain_problem, invalid_fields, problem_responses
from api.schemas.screening import (
    BatchRequest,
    BatchResult,
    OutcomeIn,
    ScreeningRequest,
    ScreeningResult,
)
from catalog.core.errors import DomainError, IndexNotReady
from catalog.screening.records import HASH_NAMES, DeclaredImageInput, DeclaredItem
from catalog.screening.service import ScreeningService
from catalog.screening.stored_screenings import load_screening, record_outcome, screening_document
from matchers.records import Money

_REQUEST = TypeAdapter(ScreeningRequest)
# The single-item route reads its raw body (one `validate_json`, no dict in between), so
# FastAPI does not see its model: the OpenAPI document names it here, and
# `request_components` adds it (and the models it nests) to the components.
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ScreeningRequest"}}
        },
    }
}


@functools.cache
def request_components() -> dict[str, Any]:
    """`ScreeningRequest` and the models it nests, as FastAPI writes their component schemas."""

    def documented(body: ScreeningRequest) -> None:  # pragma: no cover - never called
        """Only read by `get_openapi` for its body model."""

    route = APIRoute("/", documented, methods=["POST"])
    schemas: dict[str, Any] = get_openapi(title="", version="", routes=[route])["components"][
        "schemas"
    ]
    return {k: v for k, v in schemas.items() if k not in ("HTTPValidationError", "ValidationError")}


router = APIRouter(prefix="/v1/screenings", tags=["screenings"])


def _service(request: Request) -> ScreeningService:
    service: ScreeningService | None = request.app.state.screening
    if service is None:
        raise IndexNotReady("screening is unavailable on this worker (see its log)")
    return service


def _json(document: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = document if isinstance(document, bytes) else orjson.dumps(document)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def declared_item(body: ScreeningRequest) -> DeclaredItem:
    """The catalog's typed input for a validated screening request."""
    unit = body.unit_value
    consignee = body.consignee
    return DeclaredItem(
        description=body.description,
        reference=body.reference,
        brand=body.brand,
        hs_code=body.hs_code,
        gtin=body.gtin,
        quantity=body.quantity,
        unit_value=Money(unit.amount, unit.currency) if unit else None,
        origin_country=body.origin_country,
        exporter=body.exporter,
        importer=body.importer,
        consignee_name=consignee.name if consignee else None,
        consignee_address=consignee.address if consignee else None,
        declared_on=body.declared_on,
        images=tuple(
            DeclaredImageInput(
                data=image.data,
                hashes={n: h for n in HASH_NAMES if (h := getattr(image, n))},
            )
            for image in body.images
        ),
    )


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False  # as FastAPI's strict content type: a body without one is not JSON
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _in_body(exc: ValidationError) -> RequestValidationError:
    errors = exc.errors(include_url=False)
    return RequestValidationError([e | {"loc": ("body", *e["loc"])} for e in errors])


def screening_request(raw: bytes, content_type: str | None) -> ScreeningRequest:
    """Validate a raw screening body once, with the errors FastAPI's body parameter gave.

    JSON goes straight to pydantic's `validate_json`. Only when that finds the JSON
    itself invalid is it parsed again with `json` (which also takes UTF-16 and lone
    surrogates, refused later by the schema), so a broken body gets FastAPI's
    `json_invalid` error at its position, or a 400 when it is not text at all.
    """
    if not raw:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    value: Any = raw
    if _is_json(content_type):
        try:
            return _REQUEST.validate_json(raw)
        except ValidationError as exc:
            if not any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
                raise _in_body(exc) from exc
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            bad = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                   "input": {}, "ctx": {"error": exc.msg}}  # fmt: skip
            raise RequestValidationError([bad]) from exc
        except ValueError as exc:  # not text in any JSON encoding
            raise HTTPException(400, "There was an error parsing the body") from exc
    try:
        return _REQUEST.validate_python(value)
    except ValidationError as exc:
        raise _in_body(exc) from exc


async def _raw_body(request: Request) -> bytes:
    # As FastAPI reads a body: its HTTP errors (the body cap's 413) pass, anything else
    # (a client gone mid-body) is a 400, not an unhandled error.
    try:
        return await request.body()
    except StarletteHTTPException:
        raise
    except Exception as exc:
        raise HTTPException(400, "There was an error parsing the body") from exc


@router.post(
    "",
    status_code=201,
    response_model=ScreeningResult,
    responses=problem_responses(401, 403, 409, 413, 422, 503),
    openapi_extra=_BODY,
)
async def screen(principal: Screener, request: Request) -> Response:
    """Score one declared item: risk, verdict, lane and the registered products it implicates.

    Only `description` is required. Images go as base64 `data` or as precomputed
    perceptual hashes (`phash` ...). The result is stored; read it again by id.
    An image's `data` must be a base64-encoded image file: anything else is a 422.
    """
    body = screening_request(await _raw_body(request), request.headers.get("content-type"))
    record = await _service(request).screen(declared_item(body), principal=principal)
    location = {"Location": f"/v1/screenings/{record.id}"}
    return _json(record.document_bytes, status=201, headers=location)  # the stored text


def _validate(item: dict[str, Any]) -> DeclaredItem | DomainError:
    try:
        return declared_item(_REQUEST.validate_python(item))
    except ValidationError as exc:
        return invalid_fields(exc.errors(include_url=False, include_input=False))


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
        {"index": i, "status": a.status, "result": None, "problem": domain_problem(a)}
        if isinstance(a, DomainError)
        else {
            "index": i,
            "status": 201,
            "result": orjson.Fragment(a.document_bytes),
            "problem": None,
        }
        for i, a in enumerate(answers)
    ]
    return _json({"results": results})


@router.get(
    "/{screening_id}", response_model=ScreeningResult, responses=problem_responses(401, 403, 404)
)
def read(screening_id: str, principal: ScreeningReader, session: SessionDep) -> Response:
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
