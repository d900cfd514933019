"""Golden cases for origin, importer, exporter, HS code and commercial quantity."""

from __future__ import annotations

from datetime import date

from matchers.features import trade
from matchers.records import PriceRange
from matchers.scoring import FxRate, FxRates
from tests.matchers.featurekit import TODAY, declaration, product


def test_origin_authorized_unauthorized_and_abstain() -> None:
    ok = trade.origin_authorized(declaration(origin_country="vn"), product())
    assert ok is not None
    assert ok.name == "origin_authorized"
    alpha3 = trade.origin_authorized(declaration(origin_country="VNM"), product())
    assert alpha3 is not None
    assert alpha3.name == "origin_authorized"
    bad = trade.origin_authorized(declaration(origin_country="CN"), product())
    assert bad is not None
    assert bad.name == "origin_unauthorized"
    assert "ID, VN" in bad.detail
    assert (
        trade.origin_authorized(declaration(origin_country="CN"), product(authorized_origins=()))
        is None
    )
    assert trade.origin_authorized(declaration(), product()) is None


def test_importer_allow_list_first() -> None:
    ok = trade.importer_authorized(declaration(importer="NIKE EUROPE HOLDING B.V."), product())
    assert ok is not None
    assert ok.name == "importer_authorized"
    bad = trade.importer_authorized(declaration(importer="Quick Trade Ltd"), product())
    assert bad is not None
    assert bad.name == "importer_not_authorized"
    assert (
        trade.importer_authorized(declaration(importer="X"), product(authorized_importers=()))
        is None
    )
    assert trade.importer_authorized(declaration(), product()) is None


def test_exporter_allow_list_first() -> None:
    ok = trade.exporter_authorized(declaration(exporter="nike vietnam co., ltd"), product())
    assert ok is not None
    assert ok.name == "exporter_authorized"
    bad = trade.exporter_authorized(declaration(exporter="Guangzhou Shoes"), product())
    assert bad is not None
    assert bad.name == "exporter_not_authorized"
    assert (
        trade.exporter_authorized(declaration(exporter="X"), product(authorized_exporters=()))
        is None
    )


def test_hs_code_heading_chapter_and_other_chapter() -> None:
    same = trade.hs_code(declaration(hs_code="6404.19"), product())
    assert same is not None
    assert same.name == "hs_code_consistent"
    assert "6404" in same.detail
    chapter = trade.hs_code(declaration(hs_code="640299"), product())
    assert chapter is not None
    assert chapter.name == "hs_code_other_heading"
    other = trade.hs_code(declaration(hs_code="420221"), product())
    assert other is not None
    assert other.name == "hs_code_other_chapter"
    assert "64" in other.detail
    short = trade.hs_code(declaration(hs_code="64"), product())
    assert short is not None
    assert short.name == "hs_code_consistent"
    assert trade.hs_code(declaration(hs_code="6404"), product(hs_codes=())) is None
    assert trade.hs_code(declaration(), product()) is None


def test_commercial_quantity_of_a_luxury_item() -> None:
    r = trade.commercial_quantity(declaration(quantity=200), product(), fx=FxRates(), today=TODAY)
    assert r is not None
    assert r.name == "commercial_quantity"
    assert 0.3 < r.value < 1.0
    big = trade.commercial_quantity(
        declaration(quantity=5000), product(), fx=FxRates(), today=TODAY
    )
    assert big is not None
    assert big.value == 1.0


def test_commercial_quantity_abstains() -> None:
    fx = FxRates()
    assert trade.commercial_quantity(declaration(quantity=2), product(), fx=fx, today=TODAY) is None
    assert trade.commercial_quantity(declaration(), product(), fx=fx, today=TODAY) is None
    cheap = product(price=PriceRange(5.0, 9.0, "EUR"))
    assert trade.commercial_quantity(declaration(quantity=500), cheap, fx=fx, today=TODAY) is None
    usd = product(price=PriceRange(300.0, 400.0, "USD"))
    said = trade.commercial_quantity(declaration(quantity=500), usd, fx=fx, today=TODAY)
    assert said is not None
    assert said.value == 0.0
    assert "no USD->EUR rate" in said.detail
    rates = FxRates((FxRate("EUR", "USD", 1.1, date(2026, 1, 1)),))
    ok = trade.commercial_quantity(declaration(quantity=500), usd, fx=rates, today=TODAY)
    assert ok is not None
    assert ok.value == 1.0
