"""Alert events: what is queued when a screening or outcome is stored, and how it fans out.

A screening that implicates any product queues one outbox row in the same
transaction as the screening itself; an outcome queues one with the outcome. A
worker later turns each row into one delivery per (subscription, product) whose
level the screening reaches. Bodies carry no personal data: no importer,
exporter or consignee, and evidence sentences with the declared parties' names
taken out, as in the alert list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlmodel import Session

from catalog.core.ids import new_id
from catalog.models import Screening, ScreeningHit, WebhookDelivery, WebhookEvent, table_of
from catalog.models.webhooks import WebhookSubscription
from catalog.screening.alerts import finding, redact
from catalog.webhooks import repository
from catalog.webhooks.repository import ALERT, OUTCOME

EVENT_TABLE = table_of(WebhookEvent)
LANE_RANK = {"green": 0, "yellow": 1, "red": 2}


def outbox_rows(*, screening_id: str, hits: Sequence[object], at: datetime) -> list[dict[str, Any]]:
    """The outbox row to write with a screening (none when it implicates no product or brand)."""
    if not hits:
        return []
    return [
        {"kind": "screening", "screening_id": screening_id, "outcome": None,
         "state": "pending", "created_at": at}
    ]  # fmt: skip


def enqueue_outcome(session: Session, *, screening_id: str, outcome: str) -> None:
    """Queue the follow-up event of an outcome (in the caller's transaction)."""
    repository.add_event(session, kind="outcome", screening_id=screening_id, outcome=outcome)


def reaches(subscription: WebhookSubscription, *, lane: str, risk: float) -> bool:
    """Whether a match with this screening lane and match risk is at the subscription's level."""
    if subscription.min_lane and LANE_RANK.get(lane, 0) < LANE_RANK[subscription.min_lane]:
        return False
    return subscription.min_risk is None or risk >= subscription.min_risk


def encode(event: dict[str, Any]) -> str:
    """The exact body that is signed and sent (compact, keys sorted)."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _iso(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def alert_data(screening: Screening, hit: ScreeningHit) -> dict[str, Any]:
    """What a rights holder is told of one of its products in a screening."""
    request = screening.request or {}
    parties = [str(request[k]) for k in ("importer", "exporter") if request.get(k)]
    brand, name, signals = finding(screening.result or {}, hit.product_id)
    return {
        "screening_id": screening.id,
        "product_id": hit.product_id or None,  # None: the brand, no product identified
        "product_brand": brand,
        "product_name": name,
        "risk": hit.risk,
        "similarity": hit.similarity,
        "verdict": screening.verdict,
        "lane": screening.lane,
        "signals": [
            {
                "name": s.get("name"),
                "contribution": s.get("contribution"),
                "detail": redact(str(s.get("detail", "")), parties),
            }
            for s in signals
        ],
        "screened_at": _iso(screening.created_at),
    }


def _delivery(
    *, subscription_id: str, holder: str, kind: str, screening_id: str, product_id: str,
    data: dict[str, Any], now: datetime,
) -> WebhookDelivery:  # fmt: skip
    delivery_id = new_id()
    body = encode({"id": delivery_id, "type": kind, "created_at": now.isoformat(), "data": data})
    return WebhookDelivery(
        id=delivery_id, subscription_id=subscription_id, rights_holder_id=holder,
        event_type=kind, screening_id=screening_id, product_id=product_id, body=body,
        state="due", attempts=0, next_attempt_at=now, created_at=now,
    )  # fmt: skip


class Event(Protocol):
    """What fan-out reads of an outbox event (a `WebhookEvent` or a claimed one)."""

    @property
    def kind(self) -> str: ...
    @property
    def screening_id(self) -> str: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


def fan_out(session: Session, *, event: WebhookEvent, now: datetime) -> int:
    """Create the deliveries one event calls for; how many."""
    return fan_out_events(session, events=[event], now=now)


def fan_out_events(session: Session, *, events: Sequence[Event], now: datetime) -> int:
    """Create the deliveries these (claimed) events call for, in one pass: a few queries for
    all of them, not a few per event (a batch of 100 screenings queues 100 events). The
    hits come joined to their holders' live subscriptions, and a screening's row (its
    stored result) is read only when it has such a hit: with no subscriber, one query.
    Deliveries are made in event order; an outcome follows the alerts sent for its
    screening, also those made earlier in this pass. How many were made."""
    outcome_ids = [e.screening_id for e in events if e.kind == "outcome"]
    alert_ids = [e.screening_id for e in events if e.kind != "outcome"]
    sent = repository.alerted(session, screening_ids=outcome_ids)
    subscribed = repository.subscribed_hits(session, screening_ids=alert_ids)
    screenings = repository.screenings(session, screening_ids=subscribed)
    deliveries: list[WebhookDelivery] = []
    for event in events:
        if event.kind == "outcome":
            targets = dict.fromkeys(sent.get(event.screening_id, ()))  # distinct, in order
            deliveries.extend(
                _delivery(
                    subscription_id=sub, holder=holder, kind=OUTCOME,
                    screening_id=event.screening_id, product_id=product, now=now,
                    data={"screening_id": event.screening_id, "product_id": product,
                          "outcome": event.outcome, "recorded_at": _iso(event.created_at)},
                )
                for sub, holder, product in targets
            )  # fmt: skip
            continue
        screening = screenings.get(event.screening_id)
        if screening is None:  # no live subscription for its hits (or it is gone)
            continue
        for hit, sub in subscribed.get(event.screening_id, ()):
            if not reaches(sub, lane=screening.lane, risk=hit.risk):
                continue
            deliveries.append(
                _delivery(
                    subscription_id=sub.id, holder=sub.rights_holder_id, kind=ALERT,
                    screening_id=screening.id, product_id=hit.product_id,
                    data=alert_data(screening, hit), now=now,
                )
            )  # fmt: skip
            alert = (sub.id, sub.rights_holder_id, hit.product_id)
            sent.setdefault(screening.id, []).append(alert)  # an outcome later in the pass
    if deliveries:
        repository.add_deliveries(session, deliveries=deliveries)
    return len(deliveries)


def fan_out_pending(session: Session, *, now: datetime, limit: int = 200) -> int:
    """Fan out the oldest pending events this worker wins (one claiming statement for them
    all); how many deliveries were made."""
    return fan_out_events(session, events=repository.claim_pending(session, limit=limit), now=now)
