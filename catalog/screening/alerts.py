"""Alerts: the screenings that implicated a rights holder's products or brands, newest first.

An alert shows the holder only its own match (its product, that match's risk and
signals) and the screening's verdict and lane; never the declared parties, the
client or another holder's matches. A finding at declaration level (a look-alike of
a brand, or a brand named with other evidence, and no product identified) alerts
the brand's owner: its hit row has no product (`BRAND_LEVEL`), and the alert shows
the brand and the declaration-level signals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlmodel import Session

from catalog.core.errors import Unprocessable
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.screening import repository
from catalog.screening.results import ScreeningRecord
from matchers.brands.index import BrandHit

MAX_LIMIT = 200
DEFAULT_LANES = ("yellow", "red")  # green screenings fit genuine trade: not an alert by default
BRAND_LEVEL = ""  # the product id of a hit on a brand, with no product identified


class Brands(Protocol):
    """The index's brand lookup (`matchers.brands.index.BrandIndex`)."""

    def lookup(self, text: str) -> list[BrandHit]: ...


def brand_level_hits(record: ScreeningRecord, brands: Brands) -> list[dict[str, Any]]:
    """Hit rows for the owners of the brand a declaration-level finding names (none when a
    product was identified, nothing was implicated, or the brand is no longer registered)."""
    a = record.assessment
    if a.matches or a.verdict == "no_match":
        return []
    brand = next(
        (str(s.evidence["brand"]) for s in a.signals if s.evidence and "brand" in s.evidence), None
    )
    if brand is None:
        return []
    owners = sorted(
        {
            h
            for hit in brands.lookup(brand)
            if hit.kind == "exact" and hit.brand == brand
            for h in hit.rights_holder_ids
        }
    )
    return [
        {
            "product_id": BRAND_LEVEL,
            "rights_holder_id": holder,
            "rank": 0,
            "similarity": 0.0,  # no product was identified
            "risk": a.risk,
            "screening_id": record.id,
            "created_at": record.created_at,
        }
        for holder in owners
    ]


def finding(result: Mapping[str, Any], product_id: str) -> tuple[str, str, list[dict[str, Any]]]:
    """(brand, product name, signals) of a hit: its match, or the brand-level finding."""
    if product_id == BRAND_LEVEL:
        signals = list(result.get("signals") or ())
        brand = next(
            (str(s["evidence"]["brand"]) for s in signals if "brand" in (s.get("evidence") or {})),
            "",
        )
        return brand, "", signals
    match: dict[str, Any] = next(
        (m for m in result.get("matches", ()) if m.get("product_id") == product_id), {}
    )
    return match.get("brand", ""), match.get("name", ""), list(match.get("signals", ()))


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
    brand, name, signals = finding(result or {}, product_id)
    return {
        "screening_id": screening_id,
        "product_id": product_id or None,
        "product_brand": brand,
        "product_name": name,
        "risk": risk,
        "similarity": similarity,
        "verdict": verdict,
        "lane": lane,
        "signals": [
            {**signal, "detail": redact(str(signal.get("detail", "")), parties)}
            for signal in signals
        ],
        "screened_at": _iso(created_at),
    }


def redact(detail: str, parties: list[str]) -> str:
    """The evidence sentence with the declared parties' names taken out (they may be people)."""
    for name in sorted(parties, key=len, reverse=True):
        detail = re.sub(re.escape(name), "[declared party]", detail, flags=re.IGNORECASE)
    return detail
