"""RFC 9457 problem details: one shape for every error the service returns."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from catalog.core.errors import PROBLEM_BASE, DomainError, InvalidFields
from catalog.core.outages import is_database_outage

PROBLEM_JSON = "application/problem+json"
# RFC 9110's names (Python 3.11's HTTPStatus still has the older ones).
_TITLES = {413: "Content too large", 422: "Unprocessable content"}
log = logging.getLogger("countermark.api")


class ProblemItem(BaseModel):
    """One invalid field: where (`loc`), what (`msg`) and a machine code (`type`)."""

    loc: list[str | int] = Field(default_factory=list)
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=[PROBLEM_BASE + "not-found"])
    title: str
    status: int
    detail: str
    errors: list[ProblemItem] | None = None


def problem_document(
    *,
    status: int,
    detail: str,
    slug: str | None = None,
    title: str | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The problem+json body, keys in RFC 9457 order (also a batch item's `problem`)."""
    phrase = _TITLES.get(status) or (
        HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    )
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = list(errors)
    return body


def domain_problem(exc: DomainError) -> dict[str, Any]:
    """The problem+json body of a domain error."""
    return problem_document(
        status=exc.status,
        detail=exc.detail,
        slug=exc.problem_slug,
        title=exc.title,
        errors=exc.errors,
    )


def problem_response(
    *,
    status: int,
    detail: str,
    slug: str | None = None,
    title: str | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render a problem+json response."""
    body = problem_document(status=status, detail=detail, slug=slug, title=title, errors=errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def invalid_fields(errors: Sequence[Mapping[str, Any]]) -> InvalidFields:
    """The domain error for pydantic's validation errors: one `loc`/`msg`/`type` item each."""
    items: list[dict[str, Any]] = [
        {
            "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]
    first = items[0] if items else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"])
    return InvalidFields(
        f"{len(items)} invalid field(s); first: {where}: {first['msg']}", errors=items
    )


def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": 'Bearer realm="countermark"'} if exc.status == 401 else None
    if exc.status in (429, 503):  # 429: too many image jobs of one client (catalog/core/pool)
        headers = {"Retry-After": str(_retry_after(request))}
    return JSONResponse(
        domain_problem(exc), status_code=exc.status, media_type=PROBLEM_JSON, headers=headers
    )


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _domain(request, invalid_fields(exc.errors()))


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else {}
    detail = str(exc.detail)
    slug = {400: "malformed-body", 413: "payload-too-large"}.get(exc.status_code)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI raises a bare 400 when the body cannot even be decoded (bad UTF-8,
        # broken multipart); say what was wrong.
        detail = f"the request body could not be parsed: {type(exc.__cause__).__name__}"
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; RFC 9110 wants
        # every method the resource supports.
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(
        status=exc.status_code, detail=detail, slug=slug, headers=headers or None
    )


def allowed_methods(request: Request) -> list[str]:
    """Every documented method at the request's path (literal paths shadow templated ones)."""
    matched: dict[str, set[str]] = {}
    for template, item in request.app.openapi().get("paths", {}).items():
        regex, _, _ = compile_path(template)
        if regex.match(request.url.path):
            matched[template] = {m.upper() for m in item if m.upper() in _METHODS}
    literal = [path for path in matched if "{" not in path]
    paths = literal or list(matched)[:1]
    return sorted({m for path in paths for m in matched[path]})


_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})


def _retry_after(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None)
    return int(getattr(settings, "retry_after_seconds", 2))


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # One line, no traceback: during an outage every request fails the same way.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        status=503,
        detail="the database cannot be reached right now; retry after the given delay",
        slug="database-unavailable",
        title="Service unavailable",
        headers={"Retry-After": str(_retry_after(request))},
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_database_outage(exc):  # raised in a middleware, outside the route handlers
        return _database_unavailable(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(status=500, detail="an unexpected error occurred; it was logged")


def install_error_handlers(app: FastAPI) -> None:
    """Render every error, expected or not, as problem+json."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    for outage in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(outage, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring problem+json for the given statuses."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses
    }


def rewrite_problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Make every 4xx/5xx response in an OpenAPI document problem+json with the Problem schema,
    and state the input rules pydantic cannot publish (api/schemas/contract.py)."""
    from api.schemas.contract import state_input_rules  # api.schemas imports this module

    state_input_rules(schema)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            _add_generic_problems(method, operation)
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45" and _is_problem(response):
                    response["content"] = {PROBLEM_JSON: {"schema": ref}}
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in problem.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas.setdefault("Problem", problem)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def _is_problem(response: dict[str, Any]) -> bool:
    # Responses declared with another body model (e.g. /readyz's 503) keep it.
    content = response.get("content")
    if not content:
        return True
    refs = {str(c.get("schema", {}).get("$ref", "")) for c in content.values()}
    return all(r.endswith(("/Problem", "/HTTPValidationError")) or not r for r in refs)


def _add_generic_problems(method: str, operation: dict[str, Any]) -> None:
    # Problems any route can give: an unparseable or oversized body wherever a body
    # is read, idempotency clashes on POST, an unexpected failure or an outage anywhere.
    responses = operation.setdefault("responses", {})
    generic = [500, 503]
    if operation.get("security"):  # a key is presented: per-key and bad-key rate limits
        generic += [429]
    if method.lower() in ("post", "put", "patch"):
        generic += [400, 413, 422]
    if method.lower() == "post":
        generic += [409]
    for status in generic:
        responses.setdefault(str(status), {"description": HTTPStatus(status).phrase})
