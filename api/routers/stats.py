"""Hit rates (admin): what the signals, lanes and registrations have found at inspection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Admin, SessionDep
from api.errors import problem_responses
from api.schemas.common import DateTime
from api.schemas.stats import StatsReport
from catalog.stats.service import hit_rate_report

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("", response_model=StatsReport, responses=problem_responses(401, 403, 422))
def stats(
    principal: Admin,
    session: SessionDep,
    since: Annotated[DateTime | None, Query(description="start (default: until - 30 days)")] = None,
    until: Annotated[DateTime | None, Query(description="end, exclusive (default: now)")] = None,
    flag_limit: Annotated[int, Query(ge=0, le=1000, description="registrations per flag")] = 100,
) -> StatsReport:
    """Screenings, outcomes, counterfeits and hit rates (Wilson 95%) over the window.

    `since` must be before `until` (422 otherwise).
    """
    report = hit_rate_report(session, since=since, until=until, flag_limit=flag_limit)
    return StatsReport.model_validate(report)
