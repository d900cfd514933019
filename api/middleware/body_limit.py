"""The request body cap (413 at once by Content-Length, or while streaming; applied by
`api.middleware.edge`)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from api.errors import problem_response


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body passes the cap; FastAPI re-raises HTTPExceptions."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


async def refuse_too_large(max_bytes: int, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer 413 (and close the connection: the rest of the body is not read)."""
    response = problem_response(
        status=413,
        detail=f"the request body exceeds {max_bytes} bytes",
        slug="payload-too-large",
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)
