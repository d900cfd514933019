"""Idempotency-Key on every POST, as pure-ASGI middleware (every router gets it for free).

Scope: the SHA-256 of the presented API key, so keys of different clients never
collide. The request fingerprint is the method, path, query, media type and body
(for multipart, with the random boundary taken out, so a retried upload matches).
Same key and fingerprint: the stored response, with `Idempotent-Replayed: true`;
same key with another fingerprint: 422; while the first is still running: 409.
Responses of 5xx and 401 are not stored (the retry runs again).
"""

from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response
from catalog.access import idempotency
from catalog.core.db import Database

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 255


def _fingerprint(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str:
    content_type = headers.get(b"content-type", b"")
    media_type, _, params = content_type.partition(b";")
    if media_type.strip().lower() == b"multipart/form-data":
        for param in params.split(b";"):
            name, _, value = param.strip().partition(b"=")
            if name.lower() == b"boundary" and value:
                body = body.replace(value.strip(b'"'), b"")
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b"")):
        digest.update(part + b"\0")
    digest.update(media_type.strip().lower() + b"\0")
    digest.update(body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    """Replay stored responses to POSTs that repeat an Idempotency-Key."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER)
        authorization = headers.get(b"authorization")
        if raw_key is None or authorization is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            response = problem_response(
                status=422,
                detail=f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                slug="bad-idempotency-key",
            )
            await response(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away mid-body: nothing to run, nothing to store
            return
        client = hashlib.sha256(authorization).hexdigest()
        database: Database = scope["app"].state.db
        fingerprint = _fingerprint(scope, headers, body)
        found = await run_in_threadpool(
            idempotency.claim, database, scope=client, key=key, request_hash=fingerprint
        )
        if found.state != "new":
            await _answer_without_running(found, scope, receive, send)
            return
        await self._run_and_store(scope, body, receive, send, database, client, key)

    async def _run_and_store(
        self,
        scope: Scope,
        body: bytes,
        receive: Receive,
        send: Send,
        database: Database,
        client: str,
        key: str,
    ) -> None:
        status = 500
        content_type = "application/json"
        chunks: list[bytes] = []
        delivered = False

        async def replay_receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def capturing_send(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capturing_send)
        except BaseException:
            await run_in_threadpool(idempotency.release, database, scope=client, key=key)
            raise
        if status >= 500 or status == 401:
            await run_in_threadpool(idempotency.release, database, scope=client, key=key)
            return
        await run_in_threadpool(
            idempotency.complete,
            database,
            scope=client,
            key=key,
            status_code=status,
            content_type=content_type,
            body=b"".join(chunks),
        )


async def _read_body(receive: Receive) -> bytes | None:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


async def _answer_without_running(
    found: idempotency.Claim, scope: Scope, receive: Receive, send: Send
) -> None:
    if found.state == "replay":
        assert found.status_code is not None
        await send(
            {
                "type": "http.response.start",
                "status": found.status_code,
                "headers": [
                    (b"content-type", (found.content_type or "application/json").encode()),
                    (b"content-length", str(len(found.body or b"")).encode()),
                    (b"idempotent-replayed", b"true"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": found.body or b""})
        return
    if found.state == "mismatch":
        response = problem_response(
            status=422,
            detail="this Idempotency-Key was used with a different request",
            slug="idempotency-key-reused",
        )
    else:
        response = problem_response(
            status=409,
            detail="a request with this Idempotency-Key is still being processed; retry later",
            slug="idempotency-in-progress",
        )
    await response(scope, receive, send)
