"""Deliveries are claimed by one worker at a time; signatures verify; retries back off."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from catalog.access.keys import CLI_ACTOR
from catalog.core.db import Database
from catalog.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from catalog.products.rights_holders import create_rights_holder
from catalog.webhooks import repository
from catalog.webhooks.delivery import backoff
from catalog.webhooks.events import fan_out_pending
from catalog.webhooks.signing import signature_header, verify


def _deliveries(database: Database, n: int) -> set[str]:
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name="Nike").id
        sub = WebhookSubscription(rights_holder_id=holder, url="https://x.example", secret="s")
        session.add(sub)
        session.flush()
        rows = [
            WebhookDelivery(
                subscription_id=sub.id, rights_holder_id=holder, event_type="screening.alert",
                screening_id="s", product_id="p", body="{}",
                next_attempt_at=datetime.now(UTC) - timedelta(seconds=1),
            )
            for _ in range(n)
        ]  # fmt: skip
        session.add_all(rows)
        session.flush()
        return {r.id for r in rows}


def test_two_workers_never_claim_one_delivery(database: Database, database_url: str) -> None:
    ids = _deliveries(database, 40)
    claimed: list[list[str]] = [[], []]
    start = threading.Barrier(2)

    def worker(slot: int) -> None:
        db = Database(database_url, pool_size=1)
        try:
            start.wait()
            for _ in range(40):
                now = datetime.now(UTC)
                with db.session() as session:
                    for delivery_id in repository.due_delivery_ids(session, now=now, limit=5):
                        if repository.claim_delivery(
                            session, delivery_id=delivery_id, now=now,
                            lease_until=now + timedelta(minutes=5),
                        ):  # fmt: skip
                            claimed[slot].append(delivery_id)
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not set(claimed[0]) & set(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == sorted(ids)


def test_a_lapsed_claim_is_taken_again_and_the_old_claim_cannot_finish(
    database: Database,
) -> None:
    [delivery_id] = _deliveries(database, 1)
    now = datetime.now(UTC)
    with database.session() as session:
        assert repository.claim_delivery(
            session, delivery_id=delivery_id, now=now, lease_until=now - timedelta(seconds=1)
        )
        # The first sender's lease has run out (it crashed): another worker takes over.
        assert repository.claim_delivery(
            session, delivery_id=delivery_id, now=now, lease_until=now + timedelta(minutes=5)
        )
        assert not repository.claim_delivery(
            session, delivery_id=delivery_id, now=now, lease_until=now + timedelta(minutes=5)
        )
        assert not repository.finish_attempt(
            session, delivery_id=delivery_id, attempt=1, values={"state": "delivered"}
        )
        assert repository.finish_attempt(
            session, delivery_id=delivery_id, attempt=2, values={"state": "delivered"}
        )


def test_an_event_is_fanned_out_once(database: Database) -> None:
    with database.session() as session:
        session.add(WebhookEvent(kind="outcome", screening_id="s", outcome="genuine"))
    with database.session() as session:
        fan_out_pending(session, now=datetime.now(UTC))
        [event] = session.exec(select(WebhookEvent)).all()
        assert event.state == "done"
        assert not repository.claim_event(session, event_id=event.id or 0)


def test_signature_verifies_only_the_signed_body_and_time() -> None:
    body = b'{"id":"1"}'
    header = signature_header("whsec_k", timestamp=1_700_000_000, body=body)
    assert verify("whsec_k", header=header, body=body, now=1_700_000_100)
    assert not verify("whsec_k", header=header, body=body + b" ", now=1_700_000_100)
    assert not verify("whsec_other", header=header, body=body, now=1_700_000_100)
    assert not verify("whsec_k", header=header, body=body, now=1_700_000_000 + 301)
    assert not verify("whsec_k", header="v1=abc", body=body, now=1_700_000_000)


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n, base_seconds=30).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(40, base_seconds=30) == timedelta(hours=12)
