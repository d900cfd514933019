"""Webhook queries: subscriptions, the event outbox, deliveries (flush, never commit).

Claims are conditional updates (`UPDATE ... WHERE state = ...`): when two workers
race for one row, the database lets exactly one update match, so an event is
fanned out once and a delivery is sent by one worker at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlmodel import Session, col

from catalog.models import (
    Screening,
    ScreeningHit,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

ALERT = "screening.alert"
OUTCOME = "screening.outcome"


def _changed(result: Any) -> bool:
    return cast(CursorResult[Any], result).rowcount == 1


def add_subscription(session: Session, *, subscription: WebhookSubscription) -> None:
    """Store a new subscription."""
    session.add(subscription)
    session.flush()


def list_subscriptions(session: Session, *, rights_holder_id: str) -> list[WebhookSubscription]:
    """A holder's live subscriptions, oldest first."""
    stmt = (
        select(WebhookSubscription)
        .where(
            col(WebhookSubscription.rights_holder_id) == rights_holder_id,
            col(WebhookSubscription.deleted_at).is_(None),
        )
        .order_by(col(WebhookSubscription.id))
    )
    return list(session.execute(stmt).scalars())


def get_subscription(
    session: Session, *, subscription_id: str, rights_holder_id: str
) -> WebhookSubscription | None:
    """A live subscription of this holder, or None."""
    row = session.get(WebhookSubscription, subscription_id)
    if row is None or row.rights_holder_id != rights_holder_id or row.deleted_at is not None:
        return None
    return row


def list_deliveries(
    session: Session, *, rights_holder_id: str, before: str | None, limit: int
) -> list[WebhookDelivery]:
    """A holder's deliveries, newest first, before the id `before`."""
    stmt = (
        select(WebhookDelivery)
        .where(col(WebhookDelivery.rights_holder_id) == rights_holder_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    if before:
        stmt = stmt.where(col(WebhookDelivery.id) < before)
    return list(session.execute(stmt).scalars())


def add_event(session: Session, *, kind: str, screening_id: str, outcome: str | None) -> None:
    """Queue an event for fan-out (in the caller's transaction)."""
    session.add(WebhookEvent(kind=kind, screening_id=screening_id, outcome=outcome))
    session.flush()


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An outbox event this worker claimed for fan-out."""

    id: int
    kind: str
    screening_id: str
    outcome: str | None
    created_at: datetime


def claim_pending(session: Session, *, limit: int) -> list[PendingEvent]:
    """Claim the oldest events not yet fanned out, in one statement; those this call won, in
    id order (a concurrent claim by another worker takes the others: each row's conditional
    update matches once)."""
    oldest = (
        select(col(WebhookEvent.id))
        .where(col(WebhookEvent.state) == "pending")
        .order_by(col(WebhookEvent.id))
        .limit(limit)
        .scalar_subquery()
    )
    stmt = (
        update(WebhookEvent)
        .where(col(WebhookEvent.id).in_(oldest), col(WebhookEvent.state) == "pending")
        .values(state="done")
        .returning(
            col(WebhookEvent.id),
            col(WebhookEvent.kind),
            col(WebhookEvent.screening_id),
            col(WebhookEvent.outcome),
            col(WebhookEvent.created_at),
        )
        .execution_options(synchronize_session=False)
    )
    return sorted((PendingEvent(*row) for row in session.execute(stmt)), key=lambda e: e.id)


def claim_event(session: Session, *, event_id: int) -> bool:
    """Mark an event fanned out; False when another worker did so first."""
    return claim_events(session, event_ids=[event_id]) == {event_id}


def claim_events(session: Session, *, event_ids: Sequence[int]) -> set[int]:
    """Mark pending events fanned out in one statement; the ids this call won (another
    worker's concurrent claim takes the others: each row's update matches once)."""
    if not event_ids:
        return set()
    stmt = (
        update(WebhookEvent)
        .where(
            col(WebhookEvent.id).in_(sorted(set(event_ids))), col(WebhookEvent.state) == "pending"
        )
        .values(state="done")
        .returning(col(WebhookEvent.id))
        .execution_options(synchronize_session=False)
    )
    return {int(i) for i in session.execute(stmt).scalars()}


def subscribed_hits(
    session: Session, *, screening_ids: Iterable[str]
) -> dict[str, list[tuple[ScreeningHit, WebhookSubscription]]]:
    """Each hit of these screenings with each live subscription of its rights holder: per
    screening, hits best first, a hit's subscriptions oldest first (one join; a screening
    none of whose holders subscribes is not in the result)."""
    ids = sorted(set(screening_ids))
    if not ids:
        return {}
    stmt = (
        select(ScreeningHit, WebhookSubscription)
        .join(
            WebhookSubscription,
            col(WebhookSubscription.rights_holder_id) == col(ScreeningHit.rights_holder_id),
        )
        .where(
            col(ScreeningHit.screening_id).in_(ids), col(WebhookSubscription.deleted_at).is_(None)
        )
        .order_by(
            col(ScreeningHit.screening_id),
            col(ScreeningHit.rank),
            col(ScreeningHit.id),
            col(WebhookSubscription.id),
        )
    )
    out: dict[str, list[tuple[ScreeningHit, WebhookSubscription]]] = {}
    for hit, sub in session.execute(stmt).tuples():
        out.setdefault(hit.screening_id, []).append((hit, sub))
    return out


def screenings(session: Session, *, screening_ids: Iterable[str]) -> dict[str, Screening]:
    """These screenings by id (a missing one is left out)."""
    ids = sorted(set(screening_ids))
    if not ids:
        return {}
    stmt = select(Screening).where(col(Screening.id).in_(ids))
    return {s.id: s for s in session.execute(stmt).scalars()}


def alerted(
    session: Session, *, screening_ids: Iterable[str]
) -> dict[str, list[tuple[str, str, str]]]:
    """(subscription, rights holder, product) of each alert sent for each of these screenings."""
    ids = sorted(set(screening_ids))
    if not ids:
        return {}
    stmt = (
        select(
            col(WebhookDelivery.screening_id),
            col(WebhookDelivery.subscription_id),
            col(WebhookDelivery.rights_holder_id),
            col(WebhookDelivery.product_id),
        )
        .where(
            col(WebhookDelivery.screening_id).in_(ids),
            col(WebhookDelivery.event_type) == ALERT,
        )
        .distinct()
        .order_by(
            col(WebhookDelivery.screening_id),
            col(WebhookDelivery.subscription_id),
            col(WebhookDelivery.product_id),
        )
    )
    out: dict[str, list[tuple[str, str, str]]] = {}
    for screening_id, a, b, c in session.execute(stmt):
        out.setdefault(str(screening_id), []).append((str(a), str(b), str(c)))
    return out


def add_deliveries(session: Session, *, deliveries: Sequence[WebhookDelivery]) -> None:
    """Store new deliveries, due at once."""
    session.add_all(list(deliveries))
    session.flush()


def due_delivery_ids(session: Session, *, now: datetime, limit: int) -> list[str]:
    """Deliveries whose next attempt is due (or whose sender's lease ran out), oldest first."""
    stmt = (
        select(col(WebhookDelivery.id))
        .where(
            col(WebhookDelivery.state).in_(("due", "sending")),
            col(WebhookDelivery.next_attempt_at) <= now,
        )
        .order_by(col(WebhookDelivery.next_attempt_at))
        .limit(limit)
    )
    return [str(i) for i in session.execute(stmt).scalars()]


def claim_delivery(
    session: Session, *, delivery_id: str, now: datetime, lease_until: datetime
) -> bool:
    """Take a due delivery for one attempt until `lease_until`; False if another worker has it."""
    stmt = (
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.state).in_(("due", "sending")),
            col(WebhookDelivery.next_attempt_at) <= now,
        )
        .values(
            state="sending", attempts=col(WebhookDelivery.attempts) + 1, next_attempt_at=lease_until
        )
        .execution_options(synchronize_session=False)
    )
    return _changed(session.execute(stmt))


def delivery_target(
    session: Session, *, delivery_id: str
) -> tuple[WebhookDelivery, WebhookSubscription] | None:
    """A delivery and its subscription."""
    stmt = (
        select(WebhookDelivery, WebhookSubscription)
        .join(
            WebhookSubscription, col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id)
        )
        .where(col(WebhookDelivery.id) == delivery_id)
    )
    row = session.execute(stmt).first()
    return (row[0], row[1]) if row else None


def finish_attempt(
    session: Session, *, delivery_id: str, attempt: int, values: dict[str, Any]
) -> bool:
    """Record an attempt's result, if this worker's claim (attempt number) still holds."""
    stmt = (
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.state) == "sending",
            col(WebhookDelivery.attempts) == attempt,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _changed(session.execute(stmt))
