"""Exchange rates with validity periods: stored by the operator, looked up by declaration date."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Connection, delete, func, select
from sqlmodel import Session

from catalog.models import FxRate

_C = cast(Any, FxRate).__table__.c


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """One unit of a currency is worth `rate` units of the quote currency over [start, end]."""

    start: date
    end: date
    rate: float


@dataclass(slots=True)
class FxTable:
    """All loaded rates in memory, by (currency, quote), each list sorted by start date."""

    version: int = 0
    periods: dict[tuple[str, str], list[RatePeriod]] = field(default_factory=dict)

    def direct(self, currency: str, quote: str, *, on: date) -> float | None:
        """The rate of `currency` in `quote` valid on `on`, or its inverse, or None."""
        if currency == quote:
            return 1.0
        found = _lookup(self.periods.get((currency, quote), ()), on)
        if found is not None:
            return found
        inverse = _lookup(self.periods.get((quote, currency), ()), on)
        return None if inverse is None else 1.0 / inverse

    def rates_on(self, on: date) -> dict[tuple[str, str], float]:
        """Every (currency, quote) -> rate valid on `on`, inverses included."""
        out: dict[tuple[str, str], float] = {}
        for (cur, quote), periods in self.periods.items():
            rate = _lookup(periods, on)
            if rate is not None:
                out[(cur, quote)] = rate
                out.setdefault((quote, cur), 1.0 / rate)
        return out


def _lookup(periods: list[RatePeriod] | tuple[()], on: date) -> float | None:
    starts = [p.start for p in periods]
    i = bisect.bisect_right(starts, on) - 1
    while i >= 0:  # a later-starting period wins; an earlier one may still cover the day
        if periods[i].end >= on:
            return periods[i].rate
        i -= 1
    return None


def store_rates(session: Session, *, rates: Iterable[Mapping[str, Any]], source: str | None) -> int:
    """Store rates, replacing any with the same currency, quote and start date; flush only."""
    now = datetime.now(UTC)
    count = 0
    for r in rates:
        session.execute(
            delete(FxRate).where(
                _C.currency == r["currency"],
                _C.quote == r["quote"],
                _C.valid_from == r["valid_from"],
            )
        )
        session.add(
            FxRate(
                currency=r["currency"],
                quote=r["quote"],
                rate=float(r["rate"]),
                valid_from=r["valid_from"],
                valid_to=r["valid_to"],
                source=source,
                created_at=now,
            )
        )
        count += 1
    session.flush()
    return count


def fx_version(conn: Connection | Session) -> int:
    """A number that grows whenever rates are stored (the highest row id)."""
    value = conn.execute(select(func.max(_C.id))).scalar()
    return int(value or 0)


def load_fx_table(conn: Connection | Session) -> FxTable:
    """Read every stored rate into an in-memory table."""
    table = FxTable(version=fx_version(conn))
    rows = conn.execute(select(_C.currency, _C.quote, _C.valid_from, _C.valid_to, _C.rate)).all()
    for cur, quote, start, end, rate in rows:
        table.periods.setdefault((cur, quote), []).append(RatePeriod(start, end, float(rate)))
    for periods in table.periods.values():
        periods.sort(key=lambda p: p.start)
    return table
