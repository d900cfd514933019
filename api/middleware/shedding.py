"""Pure-ASGI middleware: bound the write requests one worker runs at once, shed the rest.

A burst of writes would otherwise queue on the connection pool (and on SQLite's
write lock) for as long as the pool timeout, holding threads and connections that
other clients' reads and screenings need. Here a write waits at most `wait_seconds`
for one of `max_concurrent` slots, in the event loop (no thread, no connection),
then gets 503 "busy" with Retry-After. Screening POSTs are not counted: their rows
go through the group-commit writer, which batches them without a request session.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem_response

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
GROUP_COMMIT_PATHS = frozenset({"/v1/screenings", "/v1/screenings/batch"})


class WriteSheddingMiddleware:
    """At most `max_concurrent` write requests at a time; 503 busy after `wait_seconds`."""

    def __init__(
        self, app: ASGIApp, *, max_concurrent: int, wait_seconds: float, retry_after: int
    ) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(max_concurrent)
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in READ_METHODS
            or scope["path"] in GROUP_COMMIT_PATHS
        ):
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=self.wait_seconds)
        except TimeoutError:
            response = problem_response(
                status=503,
                detail="this worker is busy with other writes; retry after the given delay",
                slug="busy",
                title="Service unavailable",
                headers={"Retry-After": str(self.retry_after)},
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()
