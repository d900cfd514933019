"""Pure-ASGI middleware: 429 per API key and role, and for repeated bad keys per address.

The presented key is identified here through the same key cache the auth dependency
reads (a miss is resolved once and cached, so the route's own check is then a hit).
Every response to an identified key carries `X-RateLimit-Limit`, `-Remaining` and
`-Reset` (seconds until the window ends); a refusal adds `Retry-After`. A 401 counts
against the client address; past the bound, that address gets 429 without a lookup
unless it presents a key the cache knows to be valid.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import KeyCache
from api.errors import problem_response
from catalog.access.keys import hash_key
from catalog.access.rate_limits import Decision, RateLimiter


class RateLimitMiddleware:
    """Refuse requests over their key's or their address's limit with 429."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        token = _bearer_token(scope)
        cache: KeyCache = scope["app"].state.key_cache
        known, principal = cache.get(hash_key(token)) if token else (False, None)
        if token and principal is None:  # only a presented key costs a lookup: bound those
            blocked = await self.limiter.address_blocked(address)
            if blocked is not None:
                await _refuse(
                    blocked, "too many requests with invalid API keys", scope, receive, send
                )
                return
        if token and not known:  # one look-up per key however many requests wait for it
            principal = await cache.resolve(scope["app"].state.db, token)
        decision = None
        if principal is not None:
            decision = await self.limiter.hit_key(role=principal.role, key_id=principal.key_id)
            if decision is not None and not decision.allowed:
                detail = f"this {principal.role} key may send {decision.limit} requests a window"
                await _refuse(decision, detail, scope, receive, send)
                return
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if decision is not None:
                    _add_headers(MutableHeaders(scope=message), decision)
            await send(message)

        await self.app(scope, receive, send_with_headers)
        if status == 401:
            await self.limiter.count_bad_key(address)


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = bytes(value).decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def _add_headers(headers: MutableHeaders, decision: Decision) -> None:
    headers["X-RateLimit-Limit"] = str(decision.limit)
    headers["X-RateLimit-Remaining"] = str(max(0, decision.remaining))
    headers["X-RateLimit-Reset"] = str(decision.reset_seconds)


async def _refuse(
    decision: Decision, detail: str, scope: Scope, receive: Receive, send: Send
) -> None:
    response = problem_response(
        status=429,
        detail=f"{detail}; retry in {decision.reset_seconds} s",
        slug="rate-limited",
        title="Too many requests",
        headers={"Retry-After": str(decision.reset_seconds)},
    )
    _add_headers(response.headers, decision)
    await response(scope, receive, send)
