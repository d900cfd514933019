"""Stored screenings: who may read one, its document with its outcomes, recording outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from catalog.access import audit, decision_log
from catalog.access.keys import Principal
from catalog.core.errors import NotFound
from catalog.core.ids import new_id
from catalog.models import Screening, ScreeningOutcome, table_of
from catalog.products.validation import plausible_id
from catalog.screening import repository
from catalog.webhooks.events import enqueue_outcome


def _iso(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def _same_client(session: Session, *, key_id: str, principal: Principal) -> bool:
    """Whether `principal` is the client that owns key `key_id` (same key or a rotation of it)."""
    if key_id == principal.key_id:
        return True
    return repository.key_client(session, key_id=key_id) == principal.client_id


def load_screening(session: Session, *, screening_id: str, principal: Principal) -> Screening:
    """A stored screening the caller may see, else 404 (never 403: ids do not leak).

    Its client (a customs or officer key, or a rotation of that key) may read it and
    record outcomes; an admin may read any. Whoever may not read one may not record
    an outcome on it either.
    """
    screening = (
        repository.get_screening(session, screening_id=screening_id)
        if plausible_id(screening_id)
        else None
    )
    if screening is None:
        raise NotFound(f"screening {screening_id} does not exist")
    if principal.role == "admin":
        return screening
    if principal.role in ("customs", "officer") and _same_client(
        session, key_id=screening.api_key_id, principal=principal
    ):
        return screening
    raise NotFound(f"screening {screening_id} does not exist")


def _outcome_json(row: ScreeningOutcome) -> dict[str, Any]:
    return {
        "outcome": row.outcome,
        "note": row.note,
        "recorded_at": _iso(row.created_at),
        "recorded_by": row.api_key_id,
        "role": row.role,
    }


def latest_outcome(session: Session, *, screening_id: str) -> dict[str, Any] | None:
    """The newest outcome recorded for a screening, as JSON (None before any)."""
    history = repository.outcome_history(session, screening_id=screening_id)
    return _outcome_json(history[-1]) if history else None


def screening_document(session: Session, *, screening: Screening) -> dict[str, Any]:
    """The stored result of a screening with its latest outcome and the whole outcome history."""
    history = [
        _outcome_json(row) for row in repository.outcome_history(session, screening_id=screening.id)
    ]
    document = dict(screening.result)
    document["outcome"] = history[-1] if history else None
    document["outcomes"] = history
    return document


def record_outcome(
    session: Session,
    *,
    screening_id: str,
    principal: Principal,
    outcome: str,
    note: str | None,
) -> dict[str, Any]:
    """Append what an inspection found (audited); returns the screening with its outcomes."""
    screening = load_screening(session, screening_id=screening_id, principal=principal)
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
    return screening_document(session, screening=screening)
