"""The hit-rate report against screenings and outcomes whose figures are known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from catalog.access.keys import CLI_ACTOR
from catalog.core.db import Database
from catalog.core.errors import Unprocessable
from catalog.core.ids import new_id
from catalog.models import Product, ReferenceImage, Screening, ScreeningHit, ScreeningOutcome
from catalog.products.rights_holders import create_rights_holder
from catalog.stats.intervals import wilson_interval
from catalog.stats.service import hit_rate_report

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
SINCE = NOW - timedelta(days=7)


def signal(name: str, contribution: float) -> dict[str, Any]:
    """A stored signal."""
    return {"name": name, "contribution": contribution, "detail": name}


def screening(
    session: Any,
    *,
    lane: str,
    at: datetime,
    hits: dict[str, tuple[str, list[dict[str, Any]]]],
    outcomes: tuple[str, ...] = (),
) -> str:
    """Store a screening with its hits (product -> (holder, signals)) and outcomes in order."""
    sid = new_id()
    matches = [{"product_id": p, "signals": s} for p, (_, s) in hits.items()]
    session.add(
        Screening(
            id=sid, api_key_id="k", client_role="customs", declared_on=at.date(),
            screened_on=at.date(), request={}, result={"matches": matches, "signals": []},
            risk=0.5, verdict="suspicious", lane=lane, catalog_version=1, engine_version="e",
            weights_version="w", settings_version=1, fx_version=0, thresholds={}, took_ms=1.0,
            created_at=at,
        )
    )  # fmt: skip
    session.flush()
    for rank, (product, (holder, _)) in enumerate(hits.items()):
        session.add(
            ScreeningHit(
                screening_id=sid, product_id=product, rights_holder_id=holder, rank=rank,
                similarity=0.9, risk=0.5, created_at=at,
            )
        )  # fmt: skip
    for n, outcome in enumerate(outcomes):
        session.add(
            ScreeningOutcome(
                id=new_id(), screening_id=sid, outcome=outcome, api_key_id="k", role="officer",
                created_at=at + timedelta(minutes=n + 1),
            )
        )  # fmt: skip
    session.flush()
    return sid


@pytest.fixture
def report(database: Database) -> tuple[dict[str, Any], dict[str, str]]:
    """Two holders, three registrations, six screenings (one outside the window)."""
    with database.session() as session:
        a = create_rights_holder(session, actor=CLI_ACTOR, name="Alpha").id
        b = create_rights_holder(session, actor=CLI_ACTOR, name="Beta").id
        ids: dict[str, str] = {"a": a, "b": b}
        for key, holder, valid_until in (
            ("pa1", a, TODAY + timedelta(days=10)),
            ("pa2", a, None),
            ("pb1", b, TODAY - timedelta(days=1)),
        ):
            product = Product(
                rights_holder_id=holder, brand=key, brand_key=key, name=f"{key} name",
                valid_until=valid_until,
            )  # fmt: skip
            session.add(product)
            session.flush()
            ids[key] = product.id
        for key in ("pa1", "pb1"):
            session.add(
                ReferenceImage(
                    product_id=ids[key], kind="genuine", sha256="0" * 64,
                    content_type="image/png", width=1, height=1,
                )
            )  # fmt: skip
        pa1, pb1 = ids["pa1"], ids["pb1"]
        price, vocab, origin = (
            signal("price_below_range", 2.1),
            signal("counterfeit_vocabulary", 0.5),
            signal("authorized_origin", -1.0),
        )
        at = NOW - timedelta(days=1)
        # The latest outcome counts: genuine, then corrected to counterfeit.
        screening(session, lane="red", at=at, hits={pa1: (a, [price, origin])},
                  outcomes=("genuine", "counterfeit"))  # fmt: skip
        screening(session, lane="red", at=at, hits={pa1: (a, [price]), pb1: (b, [vocab])},
                  outcomes=("genuine",))  # fmt: skip
        screening(session, lane="yellow", at=at, hits={pb1: (b, [vocab])},
                  outcomes=("inconclusive",))  # fmt: skip
        screening(session, lane="green", at=at, hits={pa1: (a, [origin])})
        screening(session, lane="green", at=at, hits={})
        screening(session, lane="red", at=SINCE - timedelta(seconds=1),
                  hits={pa1: (a, [price])}, outcomes=("counterfeit",))  # fmt: skip
    with database.session(write=False) as session:
        return hit_rate_report(session, since=SINCE, until=NOW, today=TODAY), ids


def counts(row: dict[str, Any]) -> tuple[int, int, int]:
    """A row's (screenings, outcomes, counterfeits)."""
    return row["screenings"], row["outcomes"], row["counterfeits"]


def test_totals_and_lanes_count_latest_outcomes(report: Any) -> None:
    body, _ = report
    assert counts(body["total"]) == (5, 3, 1)
    assert body["total"]["hit_rate"] == pytest.approx(1 / 3)
    lanes = {r["lane"]: counts(r) for r in body["by_lane"]}
    assert lanes == {"red": (2, 2, 1), "yellow": (1, 1, 0), "green": (2, 0, 0)}
    green = next(r for r in body["by_lane"] if r["lane"] == "green")
    assert green["hit_rate"] is None
    assert green["hit_rate_low"] is None


def test_signals_count_only_suspicion(report: Any) -> None:
    body, _ = report
    signals = {r["signal"]: counts(r) for r in body["by_signal"]}
    assert signals == {"price_below_range": (2, 2, 1), "counterfeit_vocabulary": (2, 2, 0)}


def test_holders_and_products(report: Any) -> None:
    body, ids = report
    holders = {r["rights_holder_id"]: (r["name"], counts(r)) for r in body["by_rights_holder"]}
    assert holders == {ids["a"]: ("Alpha", (3, 2, 1)), ids["b"]: ("Beta", (2, 2, 0))}
    products = {r["product_id"]: counts(r) for r in body["by_product"]}
    assert products == {ids["pa1"]: (3, 2, 1), ids["pb1"]: (2, 2, 0)}
    pa1 = next(r for r in body["by_product"] if r["product_id"] == ids["pa1"])
    # Wilson 95% for 1 of 2, as published tables give it.
    assert pa1["hit_rate"] == 0.5
    assert pa1["hit_rate_low"] == pytest.approx(0.0945, abs=1e-4)
    assert pa1["hit_rate_high"] == pytest.approx(0.9055, abs=1e-4)


def test_flags(report: Any) -> None:
    body, ids = report
    flagged = {
        flag: [p["product_id"] for p in value["products"]] for flag, value in body["flags"].items()
    }
    assert flagged == {
        "never_matched": [ids["pa2"]],
        "no_images": [ids["pa2"]],
        "expiring_soon": [ids["pa1"]],
        "expired": [ids["pb1"]],
    }
    assert body["flags"]["expiring_soon"]["count"] == 1


def test_wilson_interval_edges() -> None:
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 2) or (1.0, 0.0)
    assert low == 0.0
    assert high == pytest.approx(0.6576, abs=1e-4)
    low, high = wilson_interval(10, 10) or (0.0, 0.0)
    assert high == 1.0
    assert low == pytest.approx(0.7225, abs=1e-4)
    with pytest.raises(ValueError, match="between 0 and trials"):
        wilson_interval(3, 2)


def test_reversed_window_is_refused(database: Database) -> None:
    with database.session(write=False) as session, pytest.raises(Unprocessable):
        hit_rate_report(session, since=NOW, until=NOW - timedelta(days=1))


def test_window_defaults_to_thirty_days(database: Database) -> None:
    with database.session(write=False) as session:
        body = hit_rate_report(session, until=NOW)
    assert body["until"] - body["since"] == timedelta(days=30)
    assert counts(body["total"]) == (0, 0, 0)
    assert body["since"].tzinfo is not None
