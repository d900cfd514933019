"""Webhook subscriptions of a rights holder: register (secret shown once), list, delete, log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.core.errors import NotFound
from catalog.models import WebhookDelivery, WebhookSubscription
from catalog.webhooks import repository
from catalog.webhooks.signing import new_secret
from catalog.webhooks.urls import UrlPolicy, check_url


def create_subscription(
    session: Session,
    *,
    principal: Principal,
    rights_holder_id: str,
    url: str,
    min_lane: str | None,
    min_risk: float | None,
    policy: UrlPolicy,
) -> WebhookSubscription:
    """Register a URL (checked against the policy); without a level, yellow and red alert."""
    check_url(url, policy=policy)
    subscription = WebhookSubscription(
        rights_holder_id=rights_holder_id,
        url=url,
        min_lane=min_lane if min_lane or min_risk is not None else "yellow",
        min_risk=min_risk,
        secret=new_secret(),
    )
    repository.add_subscription(session, subscription=subscription)
    audit.append_event(
        session,
        actor=principal.actor,
        action="webhook.create",
        entity_type="webhook_subscription",
        entity_id=subscription.id,
        change={"url": url, "min_lane": subscription.min_lane, "min_risk": min_risk},
    )
    return subscription


def list_subscriptions(session: Session, *, rights_holder_id: str) -> list[WebhookSubscription]:
    """The holder's live subscriptions."""
    return repository.list_subscriptions(session, rights_holder_id=rights_holder_id)


def delete_subscription(
    session: Session, *, principal: Principal, rights_holder_id: str, subscription_id: str
) -> None:
    """Stop a subscription (404 when it is not the holder's); its log stays readable."""
    subscription = repository.get_subscription(
        session, subscription_id=subscription_id, rights_holder_id=rights_holder_id
    )
    if subscription is None:
        raise NotFound(f"webhook {subscription_id} does not exist")
    subscription.deleted_at = datetime.now(UTC)
    session.add(subscription)
    session.flush()
    audit.append_event(
        session,
        actor=principal.actor,
        action="webhook.delete",
        entity_type="webhook_subscription",
        entity_id=subscription_id,
    )


def delivery_log(
    session: Session, *, rights_holder_id: str, before: str | None, limit: int
) -> list[dict[str, Any]]:
    """The holder's deliveries, newest first, with the event each one carries."""
    rows = repository.list_deliveries(
        session, rights_holder_id=rights_holder_id, before=before, limit=limit
    )
    return [_entry(row) for row in rows]


def _entry(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "subscription_id": row.subscription_id,
        "event_type": row.event_type,
        "screening_id": row.screening_id,
        "product_id": row.product_id,
        "state": row.state,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at if row.state in ("due", "sending") else None,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "delivered_at": row.delivered_at,
        "body": row.body,
    }
