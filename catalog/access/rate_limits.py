"""Rate limits per API key (by role) and on bad keys per client address, with `limits`.

Storage is `memory://` by default (each worker counts alone) or `redis://host:port`
when configured, so every worker and replica shares one count. Windows are fixed
(one counter per key and window): one storage round trip per request. When the
storage cannot be reached the request is let through and a warning logged: a Redis
outage must not take the API down with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from catalog.core.settings import Settings

log = logging.getLogger(__name__)
_WARN_EVERY_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a request may run, and what to tell the client about its window."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the window ends (the Retry-After of a refusal)


class RateLimiter:
    """Per-role limits on keys and a bound on unknown keys per client address."""

    def __init__(self, *, storage_url: str, per_role: dict[str, str], bad_keys: str) -> None:
        url = storage_url if storage_url.startswith("async+") else "async+" + storage_url
        self._storage = storage_from_string(url)
        self._strategy = FixedWindowRateLimiter(self._storage)
        self._per_role = {role: parse(limit) for role, limit in per_role.items()}
        self._bad_keys = parse(bad_keys)
        self._last_warning = 0.0

    async def hit_key(self, *, role: str, key_id: str) -> Decision | None:
        """Count one request of a key; None when its role has no limit."""
        item = self._per_role.get(role)
        if item is None:
            return None
        return await self._hit(item, "key", key_id)

    async def address_blocked(self, address: str) -> Decision | None:
        """A refusal when `address` has sent too many bad keys in this window, else None."""
        try:
            allowed = await self._strategy.test(self._bad_keys, "bad-key", address)
            if allowed:
                return None
            return await self._decision(self._bad_keys, False, "bad-key", address)
        except Exception as exc:
            self._warn(exc)
            return None

    async def count_bad_key(self, address: str) -> None:
        """Record one request from `address` that presented no valid key."""
        await self._hit(self._bad_keys, "bad-key", address)

    async def _hit(self, item: RateLimitItem, *identifiers: str) -> Decision:
        try:
            allowed = await self._strategy.hit(item, *identifiers)
            return await self._decision(item, allowed, *identifiers)
        except Exception as exc:
            self._warn(exc)
            return Decision(allowed=True, limit=item.amount, remaining=item.amount, reset_seconds=0)

    async def _decision(self, item: RateLimitItem, allowed: bool, *identifiers: str) -> Decision:
        stats = await self._strategy.get_window_stats(item, *identifiers)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(
            allowed=allowed, limit=item.amount, remaining=stats.remaining, reset_seconds=reset
        )

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning("rate-limit storage unavailable, requests are not limited: %s", exc)


def rate_limiter_from_settings(settings: Settings) -> RateLimiter:
    """The limiter the settings describe."""
    return RateLimiter(
        storage_url=settings.rate_limit_storage,
        per_role={
            "customs": settings.rate_limit_customs,
            "rights_holder": settings.rate_limit_rights_holder,
            "officer": settings.rate_limit_officer,
            "admin": settings.rate_limit_admin,
        },
        bad_keys=settings.rate_limit_bad_keys,
    )
