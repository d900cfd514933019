"""An expired registration no longer counts as evidence of genuine trade, and says so."""

from __future__ import annotations

import dataclasses
from datetime import date

from matchers.engine import assess
from matchers.records import Declaration, Money
from matchers.scoring import DEFAULT_WEIGHTS
from tests.matchers.enginekit import CATALOGUE, FX, build_index

TODAY = date(2026, 12, 1)
GENUINE_LOOKING = Declaration(
    description="nike air zoom pegasus 40 running shoe",
    brand="Nike",
    hs_code="640411",
    quantity=2,
    unit_value=Money(130.0, "EUR"),
    origin_country="VN",
    importer="Nike Europe Holding BV",
)


def _assess(valid_until: date | None) -> tuple[float, dict[str, tuple[float, str]]]:
    pegasus = dataclasses.replace(CATALOGUE[0], valid_until=valid_until)
    index = build_index((pegasus, *CATALOGUE[1:]))
    a = assess(GENUINE_LOOKING, index=index, weights=DEFAULT_WEIGHTS, fx=FX, today=TODAY)
    top = a.matches[0]
    assert top.product_id == "p-nike-pegasus"
    return top.risk, {s.name: (s.contribution, s.detail) for s in top.signals}


def test_expired_registration_vouches_for_no_genuine_trade() -> None:
    live_risk, live = _assess(date(2027, 11, 30))
    expired_risk, expired = _assess(date(2026, 6, 30))
    vouching = ("price_plausible", "origin_authorized", "importer_authorized")
    assert all(live[name][0] < 0 for name in vouching), live
    for name in vouching:
        contribution, detail = expired[name]
        assert contribution == 0.0
        assert detail.endswith("(not counted: the registration has expired)")
    contribution, detail = expired["registration_expired"]
    assert "expired on 2026-06-30" in detail
    assert "no longer counts as evidence of genuine trade" in detail
    assert expired_risk > live_risk  # authorised facts of a lapsed registration lower nothing


def test_a_registration_valid_today_counts_in_full() -> None:
    _risk, signals = _assess(TODAY)
    assert "registration_expired" not in signals
    assert signals["origin_authorized"][0] < 0
