"""Fan-out in one pass: the deliveries of many events with a constant number of queries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import event
from sqlmodel import Session, select

from catalog.access.keys import CLI_ACTOR
from catalog.core.db import Database
from catalog.models import Screening, ScreeningHit, WebhookDelivery, WebhookEvent
from catalog.models.webhooks import WebhookSubscription
from catalog.products.rights_holders import create_rights_holder
from catalog.webhooks.events import fan_out_pending
from catalog.webhooks.repository import ALERT, OUTCOME, claim_pending

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _screening(session: Session, n: int, *, holder: str, lane: str, risk: float) -> str:
    sid = f"s-{n:04d}"
    match = {"product_id": f"p-{n}", "brand": "Nike", "name": f"shoe {n}", "signals": []}
    session.add(
        Screening(
            id=sid, api_key_id="k", client_role="customs", declared_on=date(2026, 12, 1),
            screened_on=date(2026, 12, 1), request={}, result={"matches": [match]},
            risk=risk, verdict="suspect", lane=lane, catalog_version=1, engine_version="e",
            weights_version="w", settings_version=1, fx_version=1, thresholds={}, took_ms=1.0,
            created_at=NOW,
        )
    )  # fmt: skip
    session.flush()
    session.add(
        ScreeningHit(
            screening_id=sid, product_id=f"p-{n}", rights_holder_id=holder, rank=0,
            similarity=0.9, risk=risk, created_at=NOW,
        )
    )  # fmt: skip
    session.add(WebhookEvent(kind="screening", screening_id=sid, created_at=NOW))
    return sid


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    """The SQL statements run on `database` meanwhile."""
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)


def _make(database: Database, count: int) -> tuple[str, str, list[str]]:
    with database.session() as session:
        subscribed = create_rights_holder(session, actor=CLI_ACTOR, name="Nike").id
        silent = create_rights_holder(session, actor=CLI_ACTOR, name="Adidas").id
        session.add(
            WebhookSubscription(
                id="sub-1", rights_holder_id=subscribed, url="https://x.example", secret="s",
                min_lane="yellow",
            )
        )  # fmt: skip
        ids = [
            _screening(
                session,
                n,
                holder=subscribed if n % 2 else silent,
                lane="red" if n % 4 == 1 else "green",
                risk=0.9,
            )
            for n in range(count)
        ]
        # an outcome queued in the same pass as its screening's alert follows that alert
        session.add(WebhookEvent(kind="outcome", screening_id=ids[1], outcome="counterfeit"))
    return subscribed, silent, ids


def test_one_pass_makes_each_alert_and_the_follow_up(database: Database) -> None:
    subscribed, _, ids = _make(database, 12)
    with database.session() as session:
        assert fan_out_pending(session, now=NOW) == 3 + 1
    with database.session() as session:
        rows = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        alerts = [r for r in rows if r.event_type == ALERT]
        # the subscribed holder's screenings in the red lane (n % 4 == 1), in event order
        assert [r.screening_id for r in alerts] == [ids[1], ids[5], ids[9]]
        assert {r.rights_holder_id for r in rows} == {subscribed}
        [follow_up] = [r for r in rows if r.event_type == OUTCOME]
        assert follow_up.screening_id == ids[1]
        assert json.loads(follow_up.body)["data"]["outcome"] == "counterfeit"
        data = json.loads(alerts[0].body)["data"]
        assert (data["product_id"], data["product_name"], data["lane"]) == ("p-1", "shoe 1", "red")
        assert all(e.state == "done" for e in session.exec(select(WebhookEvent)).all())
        assert fan_out_pending(session, now=NOW) == 0  # fanned out once


def test_the_queries_do_not_grow_with_the_events(database: Database) -> None:
    runs = []
    for count in (4, 60):  # the second pass finds only the 60 events queued after the first
        _make_more(database, count, prefix=count)
        with counted(database) as statements, database.session() as session:
            made = fan_out_pending(session, now=NOW)
        runs.append((made, len(statements)))
    (few, few_queries), (many, many_queries) = runs
    assert (few, many) == (4, 60)
    assert many_queries == few_queries


def _make_more(database: Database, count: int, *, prefix: int) -> None:
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name=f"Holder {prefix}").id
        session.add(
            WebhookSubscription(
                id=f"sub-{prefix}", rights_holder_id=holder, url="https://x.example", secret="s"
            )
        )
        for n in range(count):
            _screening(session, prefix * 1000 + n, holder=holder, lane="red", risk=0.9)


def test_two_workers_never_claim_one_event(database: Database, database_url: str) -> None:
    with database.session() as session:
        for n in range(60):
            session.add(WebhookEvent(kind="outcome", screening_id=f"s-{n}", outcome="genuine"))
    claimed: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def worker(slot: int) -> None:
        db = Database(database_url, pool_size=1)
        try:
            start.wait()
            for _ in range(20):
                with db.session() as session:
                    claimed[slot].extend(e.id for e in claim_pending(session, limit=7))
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not set(claimed[0]) & set(claimed[1])
    with database.session() as session:
        ids = [e.id for e in session.exec(select(WebhookEvent)).all()]
    assert sorted(claimed[0] + claimed[1]) == sorted(ids)
