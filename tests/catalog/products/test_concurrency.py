"""Concurrent writers: one GTIN wins, and the audit chain never forks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlmodel import select

from catalog.access import audit
from catalog.access.keys import CLI_ACTOR, Principal
from catalog.core.db import Database
from catalog.core.errors import Conflict
from catalog.models import AuditEvent
from catalog.products.rights_holders import create_rights_holder
from catalog.products.service import create_product
from catalog.products.validation import ProductData
from tests.api.helpers import gtin


def _run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = workers[index]()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _holder(database: Database) -> tuple[str, Principal]:
    with database.session() as session:
        holder_id = create_rights_holder(session, actor=CLI_ACTOR, name="Nike Inc.").id
    return holder_id, Principal(
        key_id="k", role="rights_holder", rights_holder_id=holder_id, name="t", client_id="c"
    )


def test_same_gtin_from_two_threads_only_one_wins(database: Database) -> None:
    holder_id, who = _holder(database)

    def register(name: str) -> str:
        with database.session() as session:
            data = ProductData(brand="Nike", name=name, gtins=[gtin(4242)])
            return create_product(session, principal=who, rights_holder_id=holder_id, data=data).id

    results = _run_together([lambda: register("first"), lambda: register("second")])
    assert sum(isinstance(r, str) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1


def test_concurrent_changes_keep_one_chain(database: Database) -> None:
    holder_id, who = _holder(database)

    def register(n: int) -> str:
        with database.session() as session:
            data = ProductData(brand="Nike", name=f"p{n}", gtins=[gtin(n)])
            return create_product(session, principal=who, rights_holder_id=holder_id, data=data).id

    results = _run_together([lambda n=n: register(n) for n in range(8)])  # type: ignore[misc]
    assert all(isinstance(r, str) for r in results), results
    with database.session(write=False) as session:
        assert audit.verify_chain(session).ok
        versions = session.exec(
            select(AuditEvent.catalog_version).where(AuditEvent.action == "product.create")
        ).all()
        assert sorted(v or 0 for v in versions) == list(range(1, 9))
        assert audit.current_version(session) == 8
