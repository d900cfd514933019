"""Queries behind the hit-rate report (keyword-only, read-only).

Every figure counts a screening's *latest* outcome only, as the screening API shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Subquery, case, exists, func, select
from sqlmodel import Session, col

from catalog.models import (
    Product,
    ReferenceImage,
    RightsHolder,
    Screening,
    ScreeningHit,
    ScreeningOutcome,
)


@dataclass(frozen=True, slots=True)
class Counts:
    """Screenings in a group, how many have an outcome, and how many were counterfeit."""

    screenings: int
    outcomes: int
    counterfeits: int


def _latest_outcomes() -> Subquery:
    ranked = select(
        col(ScreeningOutcome.screening_id),
        col(ScreeningOutcome.outcome),
        func.row_number()
        .over(
            partition_by=col(ScreeningOutcome.screening_id),
            order_by=(col(ScreeningOutcome.created_at).desc(), col(ScreeningOutcome.id).desc()),
        )
        .label("rank"),
    ).subquery("ranked_outcome")
    return (
        select(ranked.c.screening_id, ranked.c.outcome)
        .where(ranked.c.rank == 1)
        .subquery("latest_outcome")
    )


def _counted(stmt: Select[Any], latest: Subquery, *, screening: Any) -> Select[Any]:
    counterfeit = case((latest.c.outcome == "counterfeit", 1), else_=0)
    return stmt.add_columns(
        func.count(func.distinct(screening)),
        func.count(latest.c.outcome),
        func.coalesce(func.sum(counterfeit), 0),
    )


def _window(stmt: Select[Any], *, since: datetime, until: datetime) -> Select[Any]:
    return stmt.where(col(Screening.created_at) >= since, col(Screening.created_at) < until)


def counts_by_lane(session: Session, *, since: datetime, until: datetime) -> dict[str, Counts]:
    """Per lane: screenings in the window, outcomes recorded, counterfeits confirmed."""
    latest = _latest_outcomes()
    stmt = _counted(select(col(Screening.lane)), latest, screening=col(Screening.id))
    stmt = stmt.outerjoin(latest, latest.c.screening_id == col(Screening.id)).group_by(
        col(Screening.lane)
    )
    rows = session.execute(_window(stmt, since=since, until=until)).all()
    return {str(r[0]): Counts(int(r[1]), int(r[2]), int(r[3])) for r in rows}


def counts_by_product(
    session: Session, *, since: datetime, until: datetime
) -> dict[tuple[str, str], Counts]:
    """Per (rights holder, product) implicated: the screenings' counts (each hit counts;
    hits on a brand with no product identified count only for their rights holder)."""
    latest = _latest_outcomes()
    stmt = _counted(
        select(col(ScreeningHit.rights_holder_id), col(ScreeningHit.product_id)),
        latest,
        screening=col(Screening.id),
    )
    stmt = (
        stmt.join(Screening, col(Screening.id) == col(ScreeningHit.screening_id))
        .outerjoin(latest, latest.c.screening_id == col(Screening.id))
        .where(col(ScreeningHit.product_id) != "")  # a hit on a brand names no product
        .group_by(col(ScreeningHit.rights_holder_id), col(ScreeningHit.product_id))
    )
    rows = session.execute(_window(stmt, since=since, until=until)).all()
    return {(str(r[0]), str(r[1])): Counts(int(r[2]), int(r[3]), int(r[4])) for r in rows}


def counts_by_rights_holder(
    session: Session, *, since: datetime, until: datetime
) -> dict[str, Counts]:
    """Per rights holder: distinct screenings that implicated any of its products."""
    latest = _latest_outcomes()
    # One row per (screening, holder), so two hits on one holder count its outcome once.
    pairs = (
        select(
            col(ScreeningHit.rights_holder_id).label("holder"),
            col(ScreeningHit.screening_id).label("screening_id"),
        )
        .join(Screening, col(Screening.id) == col(ScreeningHit.screening_id))
        .where(col(Screening.created_at) >= since, col(Screening.created_at) < until)
        .distinct()
        .subquery("holder_screening")
    )
    stmt = _counted(select(pairs.c.holder), latest, screening=pairs.c.screening_id)
    stmt = stmt.outerjoin(latest, latest.c.screening_id == pairs.c.screening_id).group_by(
        pairs.c.holder
    )
    return {str(r[0]): Counts(int(r[1]), int(r[2]), int(r[3])) for r in session.execute(stmt)}


def screening_signals(
    session: Session, *, since: datetime, until: datetime, batch: int = 1000
) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Each screening's stored result and latest outcome in the window, streamed."""
    latest = _latest_outcomes()
    stmt = select(col(Screening.result), latest.c.outcome).outerjoin(
        latest, latest.c.screening_id == col(Screening.id)
    )
    stmt = _window(stmt, since=since, until=until).execution_options(yield_per=batch)
    for result, outcome in session.execute(stmt):
        yield dict(result or {}), outcome


def holder_names(session: Session, *, ids: list[str]) -> dict[str, str]:
    """Rights holders' names by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(col(RightsHolder.id), col(RightsHolder.name)).where(col(RightsHolder.id).in_(ids))
    )
    return {str(r[0]): str(r[1]) for r in rows}


def product_labels(session: Session, *, ids: list[str]) -> dict[str, tuple[str, str]]:
    """Products' (brand, name) by id."""
    if not ids:
        return {}
    rows = session.execute(
        select(col(Product.id), col(Product.brand), col(Product.name)).where(
            col(Product.id).in_(ids)
        )
    )
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def flagged_registrations(
    session: Session, *, today: date, expiring_by: date, limit: int
) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """Active registrations never matched, without images, or expiring: count and first rows."""
    matched = exists().where(col(ScreeningHit.product_id) == col(Product.id))
    imaged = exists().where(col(ReferenceImage.product_id) == col(Product.id))
    conditions = {
        "never_matched": ~matched,
        "no_images": ~imaged,
        "expiring_soon": col(Product.valid_until).between(today, expiring_by),
        "expired": col(Product.valid_until) < today,
    }
    columns = (
        col(Product.id),
        col(Product.rights_holder_id),
        col(Product.brand),
        col(Product.name),
        col(Product.valid_until),
    )
    out: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for flag, condition in conditions.items():
        base = select(*columns).where(col(Product.status) == "active", condition)
        total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
        rows = session.execute(base.order_by(col(Product.id)).limit(limit)).all()
        out[flag] = (int(total), [_registration(r) for r in rows])
    return out


def _registration(row: Any) -> dict[str, Any]:
    product_id, holder, brand, name, valid_until = row
    return {
        "product_id": product_id,
        "rights_holder_id": holder,
        "brand": brand,
        "name": name,
        "valid_until": valid_until.isoformat() if valid_until else None,
    }
