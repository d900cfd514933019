"""Stored screenings: read them, record inspection outcomes (flush, never commit)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import select
from sqlmodel import Session

from catalog.access import audit, decision_log
from catalog.access.keys import Principal
from catalog.core.errors import NotFound
from catalog.core.ids import new_id
from catalog.models import ApiKey, Screening, ScreeningOutcome

_S = cast(Any, Screening).__table__.c
_O_TABLE = cast(Any, ScreeningOutcome).__table__
_O = _O_TABLE.c
_K = cast(Any, ApiKey).__table__.c


def _iso(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def _same_client(session: Session, *, key_id: str, principal: Principal) -> bool:
    """Whether `principal` is the client that owns key `key_id` (same key, or a rotated twin)."""
    if key_id == principal.key_id:
        return True
    row = session.execute(select(_K.name, _K.role).where(_K.id == key_id)).first()
    return row is not None and (row[0], row[1]) == (principal.name, principal.role)


def load_screening(
    session: Session, *, screening_id: str, principal: Principal, for_outcome: bool = False
) -> Screening:
    """A stored screening the caller may use, else 404 (never 403: ids do not leak).

    Its client (customs or officer key, or a rotated twin key) may read it and record an
    outcome; an admin may read any; an officer may record the outcome of any screening,
    since officers inspect what the customs system flagged.
    """
    screening = session.get(Screening, screening_id)
    if screening is None:
        raise NotFound(f"screening {screening_id} does not exist")
    if principal.role == "admin" and not for_outcome:
        return screening
    if principal.role == "officer" and for_outcome:
        return screening
    if principal.role in ("customs", "officer") and _same_client(
        session, key_id=screening.api_key_id, principal=principal
    ):
        return screening
    raise NotFound(f"screening {screening_id} does not exist")


def latest_outcome(session: Session, *, screening_id: str) -> dict[str, Any] | None:
    """The most recent outcome recorded for a screening, as JSON."""
    row = session.execute(
        select(_O.outcome, _O.note, _O.created_at)
        .where(_O.screening_id == screening_id)
        .order_by(_O.created_at.desc(), _O.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"outcome": row[0], "note": row[1], "recorded_at": _iso(row[2])}


def screening_document(session: Session, *, screening: Screening) -> dict[str, Any]:
    """The stored result of a screening with its latest outcome."""
    document = dict(screening.result)
    document["outcome"] = latest_outcome(session, screening_id=screening.id)
    return document


def record_outcome(
    session: Session,
    *,
    screening_id: str,
    principal: Principal,
    outcome: str,
    note: str | None,
) -> dict[str, Any]:
    """Record what an inspection found (audited); returns the screening with that outcome."""
    screening = load_screening(
        session, screening_id=screening_id, principal=principal, for_outcome=True
    )
    now = datetime.now(UTC)
    row = ScreeningOutcome(
        id=new_id(),
        screening_id=screening.id,
        outcome=outcome,
        note=note,
        api_key_id=principal.key_id,
        role=principal.role,
        created_at=now,
    )
    session.add(row)
    session.flush()
    decision_log.append(session.connection(), [("outcome", decision_log.record_row(_O_TABLE, row))])
    audit.append_event(
        session,
        actor=principal.actor,
        action="screening.outcome",
        entity_type="screening",
        entity_id=screening.id,
        change={"outcome": outcome, "note": note},
    )
    document = dict(screening.result)
    document["outcome"] = {"outcome": outcome, "note": note, "recorded_at": _iso(now)}
    return document
