"""Operator settings (admin): the lane thresholds, versioned and audited."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import Admin, SessionDep
from api.errors import problem_responses
from api.schemas.operations import ScoringSettingsOut, ThresholdsIn
from catalog.screening.thresholds import (
    ScoringSnapshot,
    current_settings,
    thresholds_to_json,
    update_settings,
)

router = APIRouter(prefix="/v1/settings", tags=["settings"])


def _out(snapshot: ScoringSnapshot) -> ScoringSettingsOut:
    return ScoringSettingsOut(
        version=snapshot.version,
        thresholds=thresholds_to_json(snapshot.thresholds),
        weights_version=snapshot.weights.version,
        updated_at=snapshot.updated_at,
    )


@router.get("/scoring", response_model=ScoringSettingsOut, responses=problem_responses(401, 403))
def read_scoring(principal: Admin, session: SessionDep) -> ScoringSettingsOut:
    """The scoring settings in force (version 0: the built-in defaults)."""
    return _out(current_settings(session))


@router.put(
    "/scoring", response_model=ScoringSettingsOut, responses=problem_responses(401, 403, 422)
)
def update_scoring(
    body: ThresholdsIn, principal: Admin, session: SessionDep, request: Request
) -> ScoringSettingsOut:
    """Set the lane thresholds: yellow from `yellow`, red from `red` (a new, audited version).

    `red` must be at least `yellow` (422 otherwise).
    """
    snapshot = update_settings(
        session,
        actor=principal.actor,
        api_key_id=principal.key_id,
        changes=body.model_dump(exclude_none=True),
    )
    screening = getattr(request.app.state, "screening", None)
    if screening is not None:
        screening.holder.mark_dirty()
    return _out(snapshot)
