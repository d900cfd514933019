"""Stored screenings: who may read one, its document with the latest outcome, recording outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from catalog.access import audit, decision_log
from catalog.access.keys import Principal
from catalog.core.errors import NotFound
from catalog.core.ids import new_id
from catalog.models import Screening, ScreeningOutcome, table_of
from catalog.screening import repository
from catalog.webhooks.events import enqueue_outcome


def _iso(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def _same_client(session: Session, *, key_id: str, principal: Principal) -> bool:
    """Whether `principal` is the client that owns key `key_id` (same key, or a rotated twin)."""
    if key_id == principal.key_id:
        return True
    client = repository.key_client(session, key_id=key_id)
    return client == (principal.name, principal.role)


def load_screening(
    session: Session, *, screening_id: str, principal: Principal, for_outcome: bool = False
) -> Screening:
    """A stored screening the caller may use, else 404 (never 403: ids do not leak).

    Its client (customs or officer key, or a rotated twin key) may read it and record an
    outcome; an admin may read any; an officer may record the outcome of any screening,
    since officers inspect what the customs system flagged.
    """
    screening = repository.get_screening(session, screening_id=screening_id)
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
    row = repository.latest_outcome(session, screening_id=screening_id)
    if row is None:
        return None
    outcome, note, recorded_at = row
    return {"outcome": outcome, "note": note, "recorded_at": _iso(recorded_at)}


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
    repository.add_outcome(session, outcome=row)
    decision_log.append(
        session.connection(),
        [("outcome", decision_log.record_row(table_of(ScreeningOutcome), row))],
    )
    enqueue_outcome(session, screening_id=screening.id, outcome=outcome)  # webhook follow-up
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
