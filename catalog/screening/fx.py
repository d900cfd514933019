"""Exchange rates with validity periods: stored by the operator, looked up by declaration date.

The fx version is the highest rate id. Each stored rate gets the next id past every
id ever used (kept ones included), so a replacement always raises the version (SQLite
would otherwise hand a deleted highest id out again). A replaced rate is kept in
`fx_rate_version` with the version that replaced it, so `load_fx_table_as_of` gives
the rates a screening with that fx version was scored with (`countermark rescore`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlmodel import Session, col

from catalog.access import audit
from catalog.models import ExchangeRate, ExchangeRateVersion
from catalog.screening import repository
from matchers.scoring import FxRate, FxRates


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

    def engine_rates(self, day: date) -> FxRates:
        """The rates valid on `day`, as the engine takes them."""
        return FxRates(
            rates=tuple(
                FxRate(base=cur, quote=quote, rate=p.rate, valid_from=p.start, valid_to=p.end)
                for (cur, quote), periods in sorted(self.periods.items())
                for p in periods
                if p.start <= day <= p.end
            )
        )

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
    """Store rates, replacing (and keeping) any with the same currency, quote and start date.

    The stored rates a load replaces are read in one query and the load is resolved in
    memory: a load of 5,000 rates used to cost a flush and two statements per rate.
    """
    now = datetime.now(UTC)
    next_id = _next_rate_id(session)
    batch = list(rates)
    current: dict[tuple[str, str, date], ExchangeRate] = {}
    if batch:
        keys = {(r["currency"], r["quote"], r["valid_from"]) for r in batch}
        stored = session.execute(
            select(ExchangeRate).where(col(ExchangeRate.currency).in_(sorted({k[0] for k in keys})))
        ).scalars()
        current = {
            key: old for old in stored if (key := (old.currency, old.quote, old.valid_from)) in keys
        }
    replaced_ids = [old.id for old in current.values() if old.id is not None]
    for r in batch:
        key = (r["currency"], r["quote"], r["valid_from"])
        old = current.get(key)
        if old is not None:  # a stored rate, or one given earlier in this load
            session.add(_version(old, replaced_at=next_id, now=now))
        current[key] = ExchangeRate(
            id=next_id,
            currency=r["currency"],
            quote=r["quote"],
            rate=float(r["rate"]),
            valid_from=r["valid_from"],
            valid_to=r["valid_to"],
            source=source,
            created_at=now,
        )
        next_id += 1
    repository.delete_rates(session, ids=replaced_ids)
    given = {(r["currency"], r["quote"], r["valid_from"]) for r in batch}
    session.add_all(rate for key, rate in current.items() if key in given)
    session.flush()
    return len(batch)


def _next_rate_id(session: Session) -> int:
    kept = session.execute(select(func.max(col(ExchangeRateVersion.rate_id)))).scalar() or 0
    return max(repository.max_rate_id(session), int(kept)) + 1


def _version(old: ExchangeRate, *, replaced_at: int, now: datetime) -> ExchangeRateVersion:
    assert old.id is not None
    return ExchangeRateVersion(
        rate_id=old.id, currency=old.currency, quote=old.quote, rate=old.rate,
        valid_from=old.valid_from, valid_to=old.valid_to, source=old.source,
        created_at=old.created_at, replaced_at_version=replaced_at, recorded_at=now,
    )  # fmt: skip


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


def load_fx_table_as_of(conn: Connection | Session, *, version: int) -> FxTable:
    """The rates as they stood at fx version `version`: what a screening with it used."""
    table = FxTable(version=version)
    live = select(
        col(ExchangeRate.currency), col(ExchangeRate.quote), col(ExchangeRate.valid_from),
        col(ExchangeRate.valid_to), col(ExchangeRate.rate),
    ).where(col(ExchangeRate.id) <= version)  # fmt: skip
    kept = select(
        col(ExchangeRateVersion.currency), col(ExchangeRateVersion.quote),
        col(ExchangeRateVersion.valid_from), col(ExchangeRateVersion.valid_to),
        col(ExchangeRateVersion.rate),
    ).where(
        col(ExchangeRateVersion.rate_id) <= version,
        col(ExchangeRateVersion.replaced_at_version) > version,
    )  # fmt: skip
    for stmt in (live, kept):
        for cur, quote, start, end, rate in conn.execute(stmt):
            table.periods.setdefault((cur, quote), []).append(RatePeriod(start, end, float(rate)))
    for periods in table.periods.values():
        periods.sort(key=lambda p: p.start)
    return table
