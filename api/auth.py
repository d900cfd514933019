"""Bearer API-key authentication, the in-process key cache and the role check.

Resolved keys are cached in-process for `api_key_cache_ttl_seconds` (default 5 s),
keyed by the SHA-256 of the presented key, so the hot path (screening) costs one
hash and a dict lookup. A revocation through this process evicts at once; other
workers honour it within the TTL.

Look-ups are single-flight: however many requests present a key the cache does not
hold, one database look-up runs and its answer fills the cache for all of them. An
entry in the last fifth of its TTL is refreshed ahead by the first request that sees
it (in the background, that request goes on with the still-valid entry), so a busy
key never waits on its expiry.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from catalog.access.keys import Principal, hash_key, resolve_key
from catalog.core.db import Database
from catalog.core.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="an API key: `Authorization: Bearer cm_…`")
_MAX_ENTRIES = 10_000
_REFRESH_AHEAD = 0.2  # share of the TTL left when a request starts a refresh


class KeyCache:
    """A small TTL cache from key hash to the resolved principal (or None for a bad key)."""

    def __init__(self, *, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()
        self._pending: dict[str, asyncio.Future[Principal | None]] = {}
        self._generation = 0  # bumped by an eviction: older look-ups then fill nothing
        self.lookups = 0  # database look-ups started (for tests and the curious)

    def get(self, digest: str) -> tuple[bool, Principal | None]:
        """(hit, principal) for a key hash."""
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, digest: str, principal: Principal | None) -> None:
        """Remember a resolution for the TTL."""
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + self.ttl, principal)

    async def resolve(self, database: Database, token: str) -> Principal | None:
        """The principal of `token` (None: unknown or revoked), from the cache when it holds
        one, else from one database look-up shared by every request waiting for the same key."""
        digest = hash_key(token)
        entry = self._entries.get(digest)
        now = time.monotonic()
        if entry is not None and entry[0] >= now:
            if entry[0] - now < self.ttl * _REFRESH_AHEAD and digest not in self._pending:
                self._start_lookup(database, token, digest)  # ahead of expiry, not awaited
            return entry[1]
        pending = self._pending.get(digest) or self._start_lookup(database, token, digest)
        return await asyncio.shield(pending)

    def _start_lookup(
        self, database: Database, token: str, digest: str
    ) -> asyncio.Future[Principal | None]:
        generation = self._generation
        self.lookups += 1
        pending = asyncio.ensure_future(run_in_threadpool(_lookup, database, token))
        self._pending[digest] = pending

        def done(future: asyncio.Future[Principal | None]) -> None:
            self._pending.pop(digest, None)
            if future.cancelled() or future.exception() is not None:
                return  # every waiter gets the error; the next request tries again
            if generation == self._generation:
                self.put(digest, future.result())

        pending.add_done_callback(done)
        return pending

    def evict_key(self, key_id: str) -> None:
        """Forget every entry of one key (after its revocation)."""
        with self._lock:
            self._generation += 1
            for digest, (_, principal) in list(self._entries.items()):
                if principal is not None and principal.key_id == key_id:
                    del self._entries[digest]


def _lookup(database: Database, token: str) -> Principal | None:
    with database.session(write=False) as session:
        return resolve_key(session, token=token)


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller's principal; 401 for a missing, unknown or revoked key."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
    cache: KeyCache = request.app.state.key_cache
    principal = await cache.resolve(request.app.state.db, credentials.credentials)
    if principal is None:
        raise Unauthorized("the API key is unknown or revoked")
    request.state.principal = principal
    return principal


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only keys with one of `roles` (403 otherwise)."""

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                f"this needs the role {' or '.join(roles)}; the key is {principal.role}"
            )
        return principal

    return check
