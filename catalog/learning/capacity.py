"""Capacity-aware lanes and the random control share, as in ASYCUDA's selectivity.

The operator says what the inspection teams can take: `red_share` and `yellow_share`
of recent traffic, and `random_share` for unbiased sampling. `recompute` sets the
lane thresholds from the recent score distribution: red from the risk that the
riskiest `red_share` of the last `capacity_window` screenings reach, yellow likewise
for `red_share + yellow_share`. It stores them as a new (audited) settings version,
so each screening records the thresholds it used; run it periodically (cron:
`countermark lanes recompute`). A threshold never falls below `FLOOR`: when few
items carry any risk the teams get fewer, not riskless ones.

Random selection is a reproducible choice per screening id (HMAC-SHA256 of the id
under the service's pseudonym key, below the share); a selected green item goes to
the yellow lane and its result says `random_selection: true`. Outcomes of selected
items are what calibration weights by 1/share to undo who got inspected.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import math
from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from catalog.core.errors import Unprocessable
from catalog.models import Screening
from catalog.screening.thresholds import ScoringSnapshot, current_settings, update_settings
from matchers.records import Assessment

FLOOR = 0.05
MIN_TRAFFIC = 100


def random_selected(key: bytes, screening_id: str, share: float) -> bool:
    """Whether the screening falls in the random share (the same answer every time)."""
    if share <= 0.0:
        return False
    digest = hmac.new(key, f"random-selection:{screening_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def select_for_inspection(assessment: Assessment) -> Assessment:
    """A randomly selected item's assessment: a green one goes to the yellow lane."""
    if assessment.lane != "green":
        return assessment
    return dataclasses.replace(assessment, lane="yellow")


def quantile(values: Sequence[float], q: float) -> float:
    """The `q` quantile of `values` (the lower one; no interpolation, so a threshold is a
    risk that occurred)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def lane_thresholds(
    risks: Sequence[float], *, red_share: float, yellow_share: float
) -> tuple[float, float]:
    """(yellow, red): the risks from which the top `yellow_share + red_share` and the top
    `red_share` of `risks` start, never below `FLOOR`."""
    red = max(quantile(risks, 1.0 - red_share), FLOOR)
    yellow = max(min(quantile(risks, 1.0 - red_share - yellow_share), red), FLOOR)
    return round(yellow, 4), round(red, 4)


def recent_risks(session: Session, *, window: int) -> list[float]:
    """The risks of the last `window` screenings."""
    stmt = (
        select(col(Screening.risk))
        .order_by(col(Screening.created_at).desc(), col(Screening.id).desc())
        .limit(window)
    )
    return [float(r) for r in session.execute(stmt).scalars()]


def recompute(session: Session, *, actor: str) -> ScoringSnapshot:
    """Set the lane thresholds from the recent risks and the capacity (a new settings
    version, audited); 422 when no capacity is set or too little traffic is recorded."""
    snapshot = current_settings(session)
    capacity = snapshot.capacity
    if capacity.red_share is None or capacity.yellow_share is None:
        raise Unprocessable("set red_share and yellow_share first (countermark lanes set)")
    risks = recent_risks(session, window=capacity.window)
    if len(risks) < MIN_TRAFFIC:
        raise Unprocessable(
            f"{len(risks)} screenings recorded; lanes follow traffic from {MIN_TRAFFIC} on"
        )
    yellow, red = lane_thresholds(
        risks, red_share=capacity.red_share, yellow_share=capacity.yellow_share
    )
    note = (
        f"capacity: red {capacity.red_share:.1%}, yellow {capacity.yellow_share:.1%} "
        f"of the last {len(risks)} screenings"
    )
    return update_settings(
        session, actor=actor, api_key_id=None, changes={"yellow": yellow, "red": red, "note": note}
    )
