"""The outermost pure-ASGI middleware: request id, body cap and HTTP metrics in one layer.

One layer instead of three (one wrapped `send`, one wrapped `receive`, one call frame):

- a request id: the caller's `X-Request-ID` when usable, else a new one; set in
  `api.logs.REQUEST_ID` for every log line of the request and echoed in the response;
- the body cap: 413 at once when Content-Length is over `max_bytes`, else as soon as
  the bytes received pass it (unless the response has already started);
- metrics: every request counted and timed by route template, refusals included.
"""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import REQUEST_ID
from api.middleware.body_limit import BodyTooLarge, refuse_too_large
from api.middleware.metrics import record_request
from api.middleware.request_id import HEADER, request_id_for

_HEADER = HEADER.encode()


class EdgeMiddleware:
    """Request id, body cap and metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = b""
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                given = value
            elif name == b"content-length":
                declared = value
        request_id = request_id_for(given)
        max_bytes = self.max_bytes
        start = time.perf_counter()
        status = 500
        started = False
        received = 0

        async def edge_send(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = int(message["status"]), True
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        token = REQUEST_ID.set(request_id)
        try:
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                await refuse_too_large(max_bytes, scope, receive, edge_send)
                return
            try:
                await self.app(scope, limited_receive, edge_send)
            except BodyTooLarge:
                if started:
                    raise
                await refuse_too_large(max_bytes, scope, receive, edge_send)
        finally:
            record_request(scope, status, time.perf_counter() - start)
            REQUEST_ID.reset(token)
