"""Pure-ASGI middleware: bound the requests one worker runs at once, shed the rest.

A burst of writes would otherwise queue on the connection pool (and on SQLite's
write lock) for as long as the pool timeout, holding threads and connections that
other clients' reads and screenings need. Here a write waits at most `wait_seconds`
for one of `max_concurrent` slots, in the event loop (no thread, no connection),
then gets 503 "busy" with Retry-After.

Screening POSTs have slots of their own (`max_concurrent_screenings`, waiting at
most `screening_wait_seconds`, both from the app's settings): their rows go through
the group-commit writer rather than a request session, but their scoring shares the
worker's event loop, so above the rate a worker can score, the excess is refused at
once with 503 and Retry-After instead of queueing until clients time out. A refused
request costs no body read, no validation and no scoring.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem_response

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
GROUP_COMMIT_PATHS = frozenset({"/v1/screenings", "/v1/screenings/batch"})
_BUSY = {
    "writes": "this worker is busy with other writes; retry after the given delay",
    "screenings": "this worker is screening as many items as it can; retry after the given delay",
}


class _Slots:
    """At most `size` holders at once; a newcomer waits `wait_seconds` for its turn."""

    def __init__(self, name: str, *, size: int, wait_seconds: float) -> None:
        self.name = name
        self.semaphore = asyncio.Semaphore(size)
        self.wait_seconds = wait_seconds

    async def acquire(self) -> bool:
        try:
            await asyncio.wait_for(self.semaphore.acquire(), timeout=self.wait_seconds)
        except TimeoutError:
            return False
        return True


class WriteSheddingMiddleware:
    """Writes and screenings each get bounded slots; 503 busy once the wait for one is over."""

    def __init__(
        self, app: ASGIApp, *, max_concurrent: int, wait_seconds: float, retry_after: int
    ) -> None:
        self.app = app
        self.writes = _Slots("writes", size=max_concurrent, wait_seconds=wait_seconds)
        self.screenings: _Slots | None = None  # sized from the app's settings when first used
        self.retry_after = retry_after

    def _screening_slots(self, scope: Scope) -> _Slots:
        if self.screenings is None:
            settings = scope["app"].state.settings
            self.screenings = _Slots(
                "screenings",
                size=settings.max_concurrent_screenings,
                wait_seconds=settings.screening_wait_seconds,
            )
        return self.screenings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        slots = self._screening_slots(scope) if scope["path"] in GROUP_COMMIT_PATHS else self.writes
        if not await slots.acquire():
            response = problem_response(
                status=503,
                detail=_BUSY[slots.name],
                slug="busy",
                title="Service unavailable",
                headers={"Retry-After": str(self.retry_after)},
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.semaphore.release()
