"""Screening-side queries: stored screenings, outcomes, alert hits, exchange rates, settings.

Keyword-only functions that flush but never commit. The readers that the worker's
index calls at start take a Connection as well as a Session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, select
from sqlmodel import Session, col

from catalog.models import (
    ApiKey,
    ExchangeRate,
    ScoringSettingsVersion,
    Screening,
    ScreeningHit,
    ScreeningOutcome,
)


def get_screening(session: Session, *, screening_id: str) -> Screening | None:
    """A stored screening by id."""
    return session.get(Screening, screening_id)


def key_client(session: Session, *, key_id: str) -> str | None:
    """The client id of an API key, or None for an unknown key."""
    stmt = select(col(ApiKey.client_id)).where(col(ApiKey.id) == key_id)
    return session.execute(stmt).scalar_one_or_none()


def outcome_history(session: Session, *, screening_id: str) -> Sequence[ScreeningOutcome]:
    """Every outcome recorded for a screening, oldest first."""
    stmt = (
        select(ScreeningOutcome)
        .where(col(ScreeningOutcome.screening_id) == screening_id)
        .order_by(col(ScreeningOutcome.created_at), col(ScreeningOutcome.id))
    )
    return session.execute(stmt).scalars().all()


def add_outcome(session: Session, *, outcome: ScreeningOutcome) -> None:
    """Insert an inspection outcome."""
    session.add(outcome)
    session.flush()


def alert_rows(
    session: Session,
    *,
    rights_holder_id: str,
    before_hit_id: int | None,
    min_risk: float,
    lanes: Sequence[str],
    limit: int,
) -> Sequence[Row[Any]]:
    """A holder's hits in `lanes` (newest first, below `before_hit_id`) with their screenings."""
    stmt = (
        select(
            col(ScreeningHit.id),
            col(ScreeningHit.screening_id),
            col(ScreeningHit.product_id),
            col(ScreeningHit.similarity),
            col(ScreeningHit.risk),
            col(ScreeningHit.created_at),
            col(Screening.result),
            col(Screening.verdict),
            col(Screening.lane),
            col(Screening.request),
        )
        .join(Screening, col(Screening.id) == col(ScreeningHit.screening_id))
        .where(col(ScreeningHit.rights_holder_id) == rights_holder_id)
        .order_by(col(ScreeningHit.id).desc())
        .limit(limit)
    )
    if before_hit_id is not None:
        stmt = stmt.where(col(ScreeningHit.id) < before_hit_id)
    if min_risk > 0:
        stmt = stmt.where(col(ScreeningHit.risk) >= min_risk)
    stmt = stmt.where(col(Screening.lane).in_(list(lanes)))
    return session.execute(stmt).all()


def delete_rates(session: Session, *, ids: Sequence[int]) -> None:
    """Delete exchange-rate rows by id (in chunks: SQLite bounds a statement's parameters)."""
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        session.execute(delete(ExchangeRate).where(col(ExchangeRate.id).in_(chunk)))


def max_rate_id(conn: Connection | Session) -> int:
    """The highest exchange-rate row id (0 when none is stored)."""
    return int(conn.execute(select(func.max(col(ExchangeRate.id)))).scalar() or 0)


def rate_rows(conn: Connection | Session) -> Sequence[Row[tuple[str, str, date, date, float]]]:
    """Every stored rate as (currency, quote, valid from, valid to, rate)."""
    stmt = select(
        col(ExchangeRate.currency),
        col(ExchangeRate.quote),
        col(ExchangeRate.valid_from),
        col(ExchangeRate.valid_to),
        col(ExchangeRate.rate),
    )
    return conn.execute(stmt).all()


def newest_settings(
    conn: Connection | Session,
) -> Row[tuple[int, dict[str, Any], datetime]] | None:
    """(version, thresholds JSON, created at) of the settings in force, if any were stored."""
    stmt = (
        select(
            col(ScoringSettingsVersion.version),
            col(ScoringSettingsVersion.thresholds),
            col(ScoringSettingsVersion.created_at),
        )
        .order_by(col(ScoringSettingsVersion.version).desc())
        .limit(1)
    )
    return conn.execute(stmt).first()


def add_settings(session: Session, *, row: ScoringSettingsVersion) -> None:
    """Insert a new scoring-settings version."""
    session.add(row)
    session.flush()


def latest_outcomes(
    session: Session, *, screening_ids: Sequence[str]
) -> dict[str, tuple[str, datetime]]:
    """Screening id -> (outcome, recorded at) of its newest outcome, for many screenings at once."""
    if not screening_ids:
        return {}
    stmt = (
        select(
            col(ScreeningOutcome.screening_id),
            col(ScreeningOutcome.outcome),
            col(ScreeningOutcome.created_at),
        )
        .where(col(ScreeningOutcome.screening_id).in_(sorted(set(screening_ids))))
        .order_by(
            col(ScreeningOutcome.screening_id),
            col(ScreeningOutcome.created_at),
            col(ScreeningOutcome.id),
        )
    )
    # Oldest first, so the last row seen for a screening is its latest.
    return {str(sid): (outcome, at) for sid, outcome, at in session.execute(stmt)}


# --- Evidence packets: a screening's implicated products and its outcomes ---


def implicated_products(session: Session, *, screening_id: str, rights_holder_id: str) -> set[str]:
    """The products of a rights holder that a screening implicated (from its hits)."""
    stmt = select(col(ScreeningHit.product_id)).where(
        col(ScreeningHit.screening_id) == screening_id,
        col(ScreeningHit.rights_holder_id) == rights_holder_id,
    )
    return set(session.execute(stmt).scalars())
