"""Exchange rates with validity periods: stored by the operator, looked up by declaration date."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from catalog.access import audit
from catalog.models import ExchangeRate
from catalog.screening import repository


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
        repository.replace_rate(
            session,
            rate=ExchangeRate(
                currency=r["currency"],
                quote=r["quote"],
                rate=float(r["rate"]),
                valid_from=r["valid_from"],
                valid_to=r["valid_to"],
                source=source,
                created_at=now,
            ),
        )
        count += 1
    session.flush()
    return count


def load_rates(
    session: Session, *, actor: str, rates: Sequence[Mapping[str, Any]], source: str | None
) -> tuple[int, int]:
    """Store an operator's rates and audit the load; returns (rates stored, new fx version)."""
    stored = store_rates(session, rates=rates, source=source)
    version = fx_version(session)
    audit.append_event(
        session,
        actor=actor,
        action="fx_rates.load",
        entity_type="fx_rate",
        entity_id=str(version),
        change={
            "source": source,
            "rates": [
                {**r, "valid_from": str(r["valid_from"]), "valid_to": str(r["valid_to"])}
                for r in rates
            ],
        },
    )
    return stored, version


def fx_version(conn: Connection | Session) -> int:
    """A number that grows whenever rates are stored (the highest row id)."""
    return repository.max_rate_id(conn)


def load_fx_table(conn: Connection | Session) -> FxTable:
    """Read every stored rate into an in-memory table."""
    table = FxTable(version=fx_version(conn))
    for cur, quote, start, end, rate in repository.rate_rows(conn):
        table.periods.setdefault((cur, quote), []).append(RatePeriod(start, end, float(rate)))
    for periods in table.periods.values():
        periods.sort(key=lambda p: p.start)
    return table
