"""Alerts: the screenings that implicated a rights holder's products, newest first.

An alert shows the holder only its own match (its product, that match's risk and
signals) and the screening's verdict and lane; never the declared parties, the
client or another holder's matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from catalog.core.errors import Unprocessable
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.screening import repository

MAX_LIMIT = 200
DEFAULT_LANES = ("yellow", "red")  # green screenings fit genuine trade: not an alert by default


def _iso(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def _cursor(value: str | None) -> int | None:
    after = decode_cursor(value)
    if after is None:
        return None
    if not after.isdigit() or len(after) > 18:
        raise Unprocessable("the cursor is not one this service issued", slug="bad-cursor")
    return int(after)


def list_alerts(
    session: Session,
    *,
    rights_holder_id: str,
    cursor: str | None = None,
    limit: int = 50,
    min_risk: float = 0.0,
    lanes: Sequence[str] = DEFAULT_LANES,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of alerts in `lanes` for one rights holder, and the next page's cursor (or None)."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows = repository.alert_rows(
        session,
        rights_holder_id=rights_holder_id,
        before_hit_id=_cursor(cursor),
        min_risk=min_risk,
        lanes=lanes,
        limit=limit + 1,
    )
    items = [_alert(row) for row in rows[:limit]]
    outcomes = repository.latest_outcomes(session, screening_ids=[i["screening_id"] for i in items])
    for item in items:
        found = outcomes.get(item["screening_id"])
        item["outcome"] = (
            None if found is None else {"outcome": found[0], "recorded_at": _iso(found[1])}
        )
    next_cursor = encode_cursor(str(rows[limit - 1][0])) if len(rows) > limit else None
    return items, next_cursor


def _alert(row: Any) -> dict[str, Any]:
    (
        _hit_id,
        screening_id,
        product_id,
        similarity,
        risk,
        created_at,
        result,
        verdict,
        lane,
        request,
    ) = row
    parties = [str(request.get(k)) for k in ("importer", "exporter") if (request or {}).get(k)]
    match: dict[str, Any] = next(
        (m for m in (result or {}).get("matches", ()) if m.get("product_id") == product_id), {}
    )
    return {
        "screening_id": screening_id,
        "product_id": product_id,
        "product_brand": match.get("brand", ""),
        "product_name": match.get("name", ""),
        "risk": risk,
        "similarity": similarity,
        "verdict": verdict,
        "lane": lane,
        "signals": [
            {**signal, "detail": redact(str(signal.get("detail", "")), parties)}
            for signal in match.get("signals", ())
        ],
        "screened_at": _iso(created_at),
    }


def redact(detail: str, parties: list[str]) -> str:
    """The evidence sentence with the declared parties' names taken out (they may be people)."""
    for name in sorted(parties, key=len, reverse=True):
        detail = re.sub(re.escape(name), "[declared party]", detail, flags=re.IGNORECASE)
    return detail
