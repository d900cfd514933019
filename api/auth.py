"""Bearer API-key authentication, the in-process key cache and the role check.

Resolved keys are cached in-process for `api_key_cache_ttl_seconds` (default 5 s),
keyed by the SHA-256 of the presented key, so the hot path (screening) costs one
hash and a dict lookup. A revocation through this process evicts at once; other
workers honour it within the TTL.
"""

from __future__ import annotations

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


class KeyCache:
    """A small TTL cache from key hash to the resolved principal (or None for a bad key)."""

    def __init__(self, *, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

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

    def evict_key(self, key_id: str) -> None:
        """Forget every entry of one key (after its revocation)."""
        with self._lock:
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
    token = credentials.credentials
    cache: KeyCache = request.app.state.key_cache
    digest = hash_key(token)
    hit, principal = cache.get(digest)
    if not hit:
        principal = await run_in_threadpool(_lookup, request.app.state.db, token)
        cache.put(digest, principal)
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
