"""The hit-rate report: per signal, lane, rights holder and registration over a time window.

A group's hit rate is counterfeits confirmed / outcomes recorded (inconclusive
inspections count as inspections that found nothing), with a Wilson 95% interval.
A signal counts for a screening when it pushed any of its matches towards
suspicion (a positive contribution); signals that spoke for genuine trade do not.
Screenings the random control share selected are also counted on their own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from catalog.core.errors import Unprocessable
from catalog.stats import repository
from catalog.stats.intervals import wilson_interval
from catalog.stats.repository import Counts

DEFAULT_WINDOW = timedelta(days=30)
EXPIRY_HORIZON_DAYS = 30


def figures(counts: Counts) -> dict[str, Any]:
    """A group's counts with its hit rate and Wilson 95% interval (None without outcomes)."""
    interval = wilson_interval(counts.counterfeits, counts.outcomes)
    return {
        "screenings": counts.screenings,
        "outcomes": counts.outcomes,
        "counterfeits": counts.counterfeits,
        "hit_rate": counts.counterfeits / counts.outcomes if counts.outcomes else None,
        "hit_rate_low": interval[0] if interval else None,
        "hit_rate_high": interval[1] if interval else None,
    }


def resolve_window(
    since: datetime | None, until: datetime | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The [since, until) window asked for, defaulting to the last 30 days; 422 when reversed."""
    end = _aware(until) if until else now
    start = _aware(since) if since else end - DEFAULT_WINDOW
    if start >= end:
        raise Unprocessable("`since` must be before `until`", slug="validation-error")
    return start, end


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def signal_counts(
    session: Session, *, since: datetime, until: datetime
) -> tuple[dict[str, Counts], Counts]:
    """Per signal name: screenings it fired in, their outcomes and counterfeits; and the same
    for the screenings the random control share selected."""
    tally: dict[str, list[int]] = {}
    randoms = [0, 0, 0]
    for result, outcome in repository.screening_signals(session, since=since, until=until):
        if result.get("random_selection"):
            randoms[0] += 1
            randoms[1] += outcome is not None
            randoms[2] += outcome == "counterfeit"
        fired = {
            str(signal.get("name"))
            for match in result.get("matches") or ()
            for signal in match.get("signals") or ()
            if float(signal.get("contribution") or 0.0) > 0
        }
        fired.update(
            str(signal.get("name"))
            for signal in result.get("signals") or ()
            if float(signal.get("contribution") or 0.0) > 0
        )
        for name in fired:
            row = tally.setdefault(name, [0, 0, 0])
            row[0] += 1
            row[1] += outcome is not None
            row[2] += outcome == "counterfeit"
    return {name: Counts(*row) for name, row in tally.items()}, Counts(*randoms)


def hit_rate_report(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    today: date | None = None,
    flag_limit: int = 100,
) -> dict[str, Any]:
    """The whole report for the window (the JSON `GET /v1/stats` returns)."""
    start, end = resolve_window(since, until, now=datetime.now(UTC))
    today = today or datetime.now(UTC).date()
    lanes = repository.counts_by_lane(session, since=start, until=end)
    products = repository.counts_by_product(session, since=start, until=end)
    holders = repository.counts_by_rights_holder(session, since=start, until=end)
    signals, randoms = signal_counts(session, since=start, until=end)
    names = repository.holder_names(session, ids=sorted(holders))
    labels = repository.product_labels(session, ids=sorted({p for _, p in products}))
    total = Counts(
        sum(c.screenings for c in lanes.values()),
        sum(c.outcomes for c in lanes.values()),
        sum(c.counterfeits for c in lanes.values()),
    )
    flags = repository.flagged_registrations(
        session,
        today=today,
        expiring_by=today + timedelta(days=EXPIRY_HORIZON_DAYS),
        limit=flag_limit,
    )
    return {
        "since": start,
        "until": end,
        "total": figures(total),
        "by_lane": [{"lane": k, **figures(lanes[k])} for k in sorted(lanes)],
        # inspected because the random control share chose them (their lane is counted above
        # too): the hit rate of traffic nobody picked for its risk
        "random_selection": figures(randoms),
        "by_signal": [{"signal": k, **figures(signals[k])} for k in sorted(signals)],
        "by_rights_holder": [
            {"rights_holder_id": k, "name": names.get(k, ""), **figures(holders[k])}
            for k in sorted(holders)
        ],
        "by_product": [
            {
                "product_id": product,
                "rights_holder_id": holder,
                "brand": labels.get(product, ("", ""))[0],
                "name": labels.get(product, ("", ""))[1],
                **figures(products[(holder, product)]),
            }
            for holder, product in sorted(products)
        ],
        "flags": {
            flag: {"count": count, "products": rows} for flag, (count, rows) in flags.items()
        },
    }
