"""The latest inspection outcome of many screenings at once, for lists such as the alerts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import select
from sqlmodel import Session

from catalog.models import ScreeningOutcome

_O = cast(Any, ScreeningOutcome).__table__.c


def _iso(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def latest_outcomes(session: Session, *, screening_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Screening id -> its latest outcome and when it was recorded (no note: it may name people)."""
    ids = sorted(set(screening_ids))
    if not ids:
        return {}
    stmt = (
        select(_O.screening_id, _O.outcome, _O.created_at)
        .where(_O.screening_id.in_(ids))
        .order_by(_O.screening_id, _O.created_at, _O.id)
    )
    # Ordered oldest first, so the last row seen for a screening is its latest.
    return {
        str(sid): {"outcome": outcome, "recorded_at": _iso(at)}
        for sid, outcome, at in session.execute(stmt)
    }
