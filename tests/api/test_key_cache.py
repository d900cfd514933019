"""The key cache: one database look-up per key for every request waiting on it, refresh ahead."""

from __future__ import annotations

import asyncio

import pytest

from api.auth import KeyCache
from catalog.access.keys import CLI_ACTOR, create_key, hash_key, revoke_key
from catalog.core.db import Database


def _key(database: Database) -> tuple[str, str]:
    with database.session() as session:
        key, token = create_key(session, actor=CLI_ACTOR, role="customs", name="cache test")
        return key.id, token


def test_one_lookup_fills_the_cache_for_every_waiting_request(database: Database) -> None:
    key_id, token = _key(database)
    cache = KeyCache(ttl_seconds=5)

    async def burst() -> list[object]:
        return list(await asyncio.gather(*(cache.resolve(database, token) for _ in range(16))))

    principals = asyncio.run(burst())
    assert cache.lookups == 1
    assert {getattr(p, "key_id", None) for p in principals} == {key_id}
    assert cache.get(hash_key(token))[0]
    assert asyncio.run(cache.resolve(database, "cm_not_a_key")) is None
    assert cache.lookups == 2
    assert cache.get(hash_key("cm_not_a_key")) == (True, None)  # a bad key is cached too


def test_an_entry_near_its_expiry_is_refreshed_ahead_without_waiting(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr("api.auth.time.monotonic", lambda: now[0])
    _, token = _key(database)
    cache = KeyCache(ttl_seconds=5)

    async def scenario() -> None:
        first = await cache.resolve(database, token)
        assert first is not None
        assert cache.lookups == 1
        now[0] += 3.0  # 2 s of 5 left: still fresh, no refresh
        assert await cache.resolve(database, token) == first
        assert cache.lookups == 1
        now[0] += 1.5  # 0.5 s left: answered from the cache, a refresh starts behind
        assert await cache.resolve(database, token) == first
        assert await cache.resolve(database, token) == first
        assert cache.lookups == 2  # one refresh, however many requests saw the old entry
        await asyncio.gather(*cache._pending.values())  # the loop's clock is frozen too
        now[0] += 4.0  # past the first expiry: the refreshed entry is still valid
        assert cache.get(hash_key(token)) == (True, first)

    asyncio.run(scenario())


def test_a_revocation_is_not_undone_by_a_lookup_already_running(database: Database) -> None:
    key_id, token = _key(database)
    cache = KeyCache(ttl_seconds=5)

    async def scenario() -> None:
        pending = asyncio.ensure_future(cache.resolve(database, token))
        await asyncio.sleep(0)  # the look-up is under way
        with database.session() as session:
            revoke_key(session, actor=CLI_ACTOR, key_id=key_id)
        cache.evict_key(key_id)
        await pending
        assert cache.get(hash_key(token)) == (False, None)  # not refilled with the old answer
        assert await cache.resolve(database, token) is None

    asyncio.run(scenario())
