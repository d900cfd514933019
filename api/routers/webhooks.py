"""Webhooks (rights holders): signed alerts to their URL, and the log of what was sent.

The app's lifespan (api/app.py) runs this worker's sender in the background
(catalog/webhooks/delivery.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import RightsHolderOnly, SessionDep, SettingsDep
from api.errors import problem_responses
from api.schemas.webhooks import (
    DeliveryOut,
    DeliveryPage,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
)
from catalog.access.keys import Principal
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.webhooks import service
from catalog.webhooks.urls import UrlPolicy

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


def _holder(principal: Principal) -> str:
    assert principal.rights_holder_id is not None  # a rights_holder key is always bound
    return principal.rights_holder_id


@router.post(
    "", status_code=201, response_model=WebhookCreated, responses=problem_responses(401, 403, 422)
)
def create(
    body: WebhookIn, principal: RightsHolderOnly, session: SessionDep, settings: SettingsDep
) -> WebhookCreated:
    """Subscribe a URL to alerts on your products; the signing secret is returned only here.

    The URL must resolve, and only to public addresses (422 otherwise: no private,
    loopback or link-local targets).
    """
    policy = UrlPolicy(
        allow_http=settings.webhook_allow_http, allow_private=settings.webhook_allow_private
    )
    row = service.create_subscription(
        session,
        principal=principal,
        rights_holder_id=_holder(principal),
        url=body.url,
        min_lane=body.min_lane,
        min_risk=body.min_risk,
        policy=policy,
    )
    return WebhookCreated.model_validate(row, from_attributes=True)


@router.get("", response_model=WebhookList, responses=problem_responses(401, 403))
def list_webhooks(principal: RightsHolderOnly, session: SessionDep) -> WebhookList:
    """Your live subscriptions (without their secrets)."""
    rows = service.list_subscriptions(session, rights_holder_id=_holder(principal))
    return WebhookList(items=[WebhookOut.model_validate(r, from_attributes=True) for r in rows])


@router.get("/deliveries", response_model=DeliveryPage, responses=problem_responses(401, 403, 422))
def deliveries(
    principal: RightsHolderOnly,
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """What was sent to your URLs, newest first: state, attempts, last answer, the body."""
    rows = service.delivery_log(
        session, rights_holder_id=_holder(principal), before=decode_cursor(cursor), limit=limit + 1
    )
    page = rows[:limit]
    return DeliveryPage(
        items=[DeliveryOut.model_validate(r) for r in page],
        next_cursor=encode_cursor(page[-1]["id"]) if len(rows) > limit else None,
    )


@router.delete(
    "/{webhook_id}", status_code=204, response_class=Response,
    responses=problem_responses(401, 403, 404),
)  # fmt: skip
def delete(webhook_id: str, principal: RightsHolderOnly, session: SessionDep) -> Response:
    """Stop a subscription; deliveries still due to it are not sent."""
    service.delete_subscription(
        session,
        principal=principal,
        rights_holder_id=_holder(principal),
        subscription_id=webhook_id,
    )
    return Response(status_code=204)
