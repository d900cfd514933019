"""The screening route validates its raw body once; errors keep FastAPI's shape."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from api.routers.screenings import _raw_body, screening_request

JSON = "application/json"


def _errors(raw: bytes, content_type: str | None = JSON) -> list[dict[str, Any]]:
    with pytest.raises(RequestValidationError) as caught:
        screening_request(raw, content_type)
    return list(caught.value.errors())


def test_a_valid_body_is_validated_from_its_bytes() -> None:
    body = screening_request(b'{"description": " shoe ", "quantity": 2}', "application/json")
    assert (body.description, body.quantity) == ("shoe", 2)
    assert screening_request(b'{"description": "x"}', "application/vnd.x+json").description == "x"


def test_errors_are_located_in_the_body_as_fastapi_located_them() -> None:
    field = _errors(b'{"description": "x", "unit_value": {"amount": -1, "currency": "USD"}}')
    broken = _errors(b'{"description": ')
    empty = _errors(b"")
    not_json = _errors(b'{"description": "x"}', "text/plain")
    no_type = _errors(b'{"description": "x"}', None)

    assert [e["loc"] for e in field] == [("body", "unit_value", "amount")]
    assert (broken[0]["type"], broken[0]["loc"], broken[0]["msg"]) == (
        "json_invalid", ("body", 16), "JSON decode error"
    )  # fmt: skip
    assert (empty[0]["type"], empty[0]["loc"]) == ("missing", ("body",))
    assert not_json[0]["loc"][0] == "body"
    assert no_type[0]["loc"][0] == "body"  # strict content type, as FastAPI's default


def test_a_lone_surrogate_is_refused_by_the_schema_not_the_parser() -> None:
    errors = _errors(b'{"description": "a\\ud800b"}')
    assert errors[0]["loc"] == ("body", "description")


def test_bytes_that_are_no_text_are_a_400() -> None:
    with pytest.raises(HTTPException) as caught:
        screening_request(b"\xff\xfe{\x00\xd8", JSON)
    assert caught.value.status_code == 400


def test_a_client_gone_mid_body_is_a_400_not_an_unhandled_error() -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    with pytest.raises(HTTPException) as caught:
        asyncio.run(_raw_body(request))
    assert caught.value.status_code == 400
