"""Bursts of concurrent writes against a real `countermark serve`: never a 500.

The rights holder's rate limit is lifted so that all the writes reach the worker:
each is then run, refused by a uniqueness rule (409) or shed as busy (503 with
Retry-After), and every 201 is a row in the database.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from sqlalchemy import func
from sqlmodel import select

from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.models import Product
from tests.api.helpers import gtin, product_body
from tests.conftest import HolderFactory
from tests.serving import serving

BURST = 60
UNLIMITED = {"COUNTERMARK_RATE_LIMIT_RIGHTS_HOLDER": "100000/second"}


async def _burst(
    base: str, headers: dict[str, str], bodies: list[dict[str, object]]
) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=60, limits=limits
    ) as client:
        return list(await asyncio.gather(*(client.post("/v1/products", json=b) for b in bodies)))


def _check_statuses(responses: list[httpx.Response]) -> Counter[int]:
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409, 503}, statuses
    for response in responses:
        if response.status_code == 503:
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["retry-after"]) >= 1
    return statuses


def _rows(database: Database, holder_id: str) -> int:
    with database.session(write=False) as session:
        stmt = (
            select(func.count()).select_from(Product).where(Product.rights_holder_id == holder_id)
        )
        return int(session.exec(stmt).one())  # type: ignore[call-overload]


def test_concurrent_registrations_never_fail_with_500(
    settings: Settings, database: Database, make_holder: HolderFactory
) -> None:
    holder_id, headers = make_holder("Nike")
    distinct = [product_body(n, gtins=[gtin(50_000 + n)]) for n in range(BURST)]
    same = [product_body(1_000 + n, gtins=[gtin(77_777)]) for n in range(BURST)]
    with serving(settings, workers=1, extra_env=UNLIMITED) as base:
        first = _check_statuses(asyncio.run(_burst(base, headers, distinct)))
        assert first[201] >= 1
        assert first[409] == 0
        assert _rows(database, holder_id) == first[201]
        second = _check_statuses(asyncio.run(_burst(base, headers, same)))
        assert second[201] == 1, second  # one product owns the GTIN; the others are refused
        assert _rows(database, holder_id) == first[201] + 1
