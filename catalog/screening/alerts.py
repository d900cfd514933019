"""Alerts: the screenings that implicated a rights holder's products, newest first.

An alert shows the holder only its own match (its product, that match's risk and
signals) and the screening's verdict and lane; never the declared parties, the
client or another holder's matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import select
from sqlmodel import Session

from catalog.core.errors import Unprocessable
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.models import Screening, ScreeningHit
from catalog.screening.outcomes import latest_outcomes

_H = cast(Any, ScreeningHit).__table__.c
_S = cast(Any, Screening).__table__.c
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
    stmt = (
        select(
            _H.id,
            _H.screening_id,
            _H.product_id,
            _H.similarity,
            _H.risk,
            _H.created_at,
            _S.result,
            _S.verdict,
            _S.lane,
            _S.request,
        )
        .join(Screening, _S.id == _H.screening_id)
        .where(_H.rights_holder_id == rights_holder_id)
        .order_by(_H.id.desc())
        .limit(limit + 1)
    )
    after = _cursor(cursor)
    if after is not None:
        stmt = stmt.where(_H.id < after)
    if min_risk > 0:
        stmt = stmt.where(_H.risk >= min_risk)
    stmt = stmt.where(_S.lane.in_(list(lanes)))
    rows = session.execute(stmt).all()
    items = [_alert(row) for row in rows[:limit]]
    outcomes = latest_outcomes(session, screening_ids=(i["screening_id"] for i in items))
    for item in items:
        item["outcome"] = outcomes.get(item["screening_id"])
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
