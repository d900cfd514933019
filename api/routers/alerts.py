"""Alerts (rights holders): screenings that implicated their products, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import RightsHolderOrAdmin, SessionDep
from api.errors import problem_responses
from api.schemas.alerts import AlertOut, AlertPage
from api.schemas.screening import Lane
from catalog.core.errors import Unprocessable
from catalog.screening.alerts import DEFAULT_LANES, list_alerts

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


@router.get("", response_model=AlertPage, responses=problem_responses(401, 403, 422))
def alerts(
    principal: RightsHolderOrAdmin,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    min_risk: Annotated[float, Query(ge=0, le=1)] = 0.0,
    lane: Annotated[
        list[Lane] | None, Query(description="lanes to list (default: yellow and red)")
    ] = None,
    rights_holder_id: Annotated[
        str | None, Query(description="admin only: whose alerts to list")
    ] = None,
) -> AlertPage:
    """Screenings that implicated the caller's products: risk, lane, signals, time, outcome.

    No declared parties, no client and no other rights holder's matches are shown.
    """
    holder = principal.rights_holder_id if principal.role == "rights_holder" else rights_holder_id
    if not holder:
        raise Unprocessable("an admin must pass `rights_holder_id`", slug="validation-error")
    items, next_cursor = list_alerts(
        session,
        rights_holder_id=holder,
        cursor=cursor,
        limit=limit,
        min_risk=min_risk,
        lanes=lane or DEFAULT_LANES,
    )
    return AlertPage(items=[AlertOut.model_validate(i) for i in items], next_cursor=next_cursor)
