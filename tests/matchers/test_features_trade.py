"""Golden cases for origin, importer, exporter and commercial quantity."""

from __future__ import annotations

from datetime import date

from matchers.features import trade
from matchers.records import PriceRange
from matchers.scoring import FxRate, FxRates
from matchers.weights import FeatureConfig
from tests.matchers.featurekit import Candidate, declaration, product


def test_origin_authorized_unauthorized_and_abstain(
    candidate: Candidate, config: FeatureConfig
) -> None:
    ok = trade.origin_authorized(candidate(declaration(origin_country="vn"), product()), config)
    assert ok is not None
    assert ok.name == "origin_authorized"
    alpha3 = trade.origin_authorized(
        candidate(declaration(origin_country="VNM"), product()), config
    )
    assert alpha3 is not None
    assert alpha3.name == "origin_authorized"
    bad = trade.origin_authorized(candidate(declaration(origin_country="CN"), product()), config)
    assert bad is not None
    assert bad.name == "origin_unauthorized"
    assert "ID, VN" in bad.detail
    assert (
        trade.origin_authorized(
            candidate(declaration(origin_country="CN"), product(authorized_origins=())), config
        )
        is None
    )
    assert trade.origin_authorized(candidate(declaration(), product()), config) is None


def test_importer_allow_list_first(candidate: Candidate, config: FeatureConfig) -> None:
    ok = trade.importer_authorized(
        candidate(declaration(importer="NIKE EUROPE HOLDING B.V."), product()), config
    )
    assert ok is not None
    assert ok.name == "importer_authorized"
    bad = trade.importer_authorized(
        candidate(declaration(importer="Quick Trade Ltd"), product()), config
    )
    assert bad is not None
    assert bad.name == "importer_not_authorized"
    # The declared party is personal data: its sentence says where it stands, not who it is.
    assert ok.detail == "the declared importer is on Nike's authorised list"
    assert "Quick" not in bad.detail
    assert (
        trade.importer_authorized(
            candidate(declaration(importer="X"), product(authorized_importers=())), config
        )
        is None
    )
    assert trade.importer_authorized(candidate(declaration(), product()), config) is None


def test_exporter_allow_list_first(candidate: Candidate, config: FeatureConfig) -> None:
    ok = trade.exporter_authorized(
        candidate(declaration(exporter="nike vietnam co., ltd"), product()), config
    )
    assert ok is not None
    assert ok.name == "exporter_authorized"
    bad = trade.exporter_authorized(
        candidate(declaration(exporter="Guangzhou Shoes"), product()), config
    )
    assert bad is not None
    assert bad.name == "exporter_not_authorized"
    assert (
        trade.exporter_authorized(
            candidate(declaration(exporter="X"), product(authorized_exporters=())), config
        )
        is None
    )


def test_commercial_quantity_of_a_luxury_item(candidate: Candidate, config: FeatureConfig) -> None:
    r = trade.commercial_quantity(
        candidate(declaration(quantity=200), product(), fx=FxRates()), config
    )
    assert r is not None
    assert r.name == "commercial_quantity"
    assert 0.3 < r.value < 1.0
    big = trade.commercial_quantity(
        candidate(declaration(quantity=5000), product(), fx=FxRates()), config
    )
    assert big is not None
    assert big.value == 1.0
    assert big.detail == (
        "5000 units of Nike Air Zoom Pegasus 40 running shoe (genuine from 120 EUR a unit, "
        "600,000 EUR at genuine prices): a commercial quantity of footwear (10 units or more)"
    )  # a 120 EUR running shoe is not a luxury good
    assert big.evidence == {"kind_of_goods": "footwear", "commercial_from_units": 10.0}
    bag = product(price=PriceRange(1400.0, 1700.0, "EUR"), hs_codes=("420221",))
    luxury = trade.commercial_quantity(candidate(declaration(quantity=20), bag), config)
    assert luxury is not None
    assert luxury.detail.endswith(
        "a commercial quantity of luxury bags and leather goods (5 units or more)"
    )


def test_commercial_quantity_is_counted_against_the_kind_of_goods(
    candidate: Candidate, config: FeatureConfig
) -> None:
    watch = product(
        name="Submariner Date 41", brand="Rolex", price=PriceRange(9500.0, 12000.0, "EUR"),
        hs_codes=("9101.11",),
    )  # fmt: skip
    assert trade.commercial_quantity(candidate(declaration(quantity=4), watch), config) is None
    six = trade.commercial_quantity(candidate(declaration(quantity=6), watch), config)
    assert six is not None
    assert six.detail == (
        "6 units of Rolex Submariner Date 41 (genuine from 9,500 EUR a unit, 57,000 EUR at "
        "genuine prices): a commercial quantity of luxury watches (5 units or more)"
    )
    # six pairs of shoes are not a commercial quantity; a category's words name unknown goods
    assert trade.commercial_quantity(candidate(declaration(quantity=6), product()), config) is None
    drone = product(hs_codes=(), category="Camera drones", price=PriceRange(300.0, 400.0, "EUR"))
    said = trade.commercial_quantity(candidate(declaration(quantity=50), drone), config)
    assert said is not None
    assert "a commercial quantity of camera drones (10 units or more)" in said.detail
    bare = product(hs_codes=(), category=None)
    said = trade.commercial_quantity(candidate(declaration(quantity=50), bare), config)
    assert said is not None
    assert "a commercial quantity of goods of this kind (10 units or more)" in said.detail


def test_commercial_quantity_abstains(candidate: Candidate, config: FeatureConfig) -> None:
    fx = FxRates()
    assert (
        trade.commercial_quantity(candidate(declaration(quantity=2), product(), fx=fx), config)
        is None
    )
    assert trade.commercial_quantity(candidate(declaration(), product(), fx=fx), config) is None
    cheap = product(price=PriceRange(5.0, 9.0, "EUR"))
    assert (
        trade.commercial_quantity(candidate(declaration(quantity=500), cheap, fx=fx), config)
        is None
    )
    usd = product(price=PriceRange(300.0, 400.0, "USD"))
    said = trade.commercial_quantity(candidate(declaration(quantity=500), usd, fx=fx), config)
    assert said is not None
    assert said.value == 0.0
    assert "no USD->EUR rate" in said.detail
    rates = FxRates((FxRate("EUR", "USD", 1.1, date(2026, 1, 1)),))
    ok = trade.commercial_quantity(candidate(declaration(quantity=500), usd, fx=rates), config)
    assert ok is not None
    assert ok.value == 1.0
