"""Golden cases for the price feature and the exchange rates it uses."""

from __future__ import annotations

from datetime import date

import pytest

from matchers.features.price import price_vs_range
from matchers.records import Money, PriceRange
from matchers.scoring import FxRate, FxRates
from matchers.weights import FeatureConfig
from tests.matchers.featurekit import TODAY, Candidate, declaration, product

USD_EUR = FxRates(
    (
        FxRate("USD", "EUR", 0.90, date(2026, 1, 1), date(2026, 6, 30)),
        FxRate("USD", "EUR", 0.80, date(2026, 7, 1)),
    )
)


def test_same_currency_needs_no_rate_and_plausible_import_value_is_genuine_evidence(
    candidate: Candidate, config: FeatureConfig
) -> None:
    r = price_vs_range(
        candidate(declaration(unit_value=Money(60.0, "EUR")), product(), fx=FxRates()), config
    )
    assert r is not None
    assert r.name == "price_plausible"
    assert r.value == 1.0
    assert "50% of the genuine minimum 120.00 EUR" in r.detail


def test_far_below_the_range_is_strong_evidence(
    candidate: Candidate, config: FeatureConfig
) -> None:
    d = declaration(unit_value=Money(4.5, "USD"), declared_on=date(2026, 11, 1))
    r = price_vs_range(candidate(d, product(), fx=USD_EUR), config)
    assert r is not None
    assert r.name == "price_far_below_range"
    assert r.value == pytest.approx(0.6 + 0.4 * (0.25 - 3.6 / 120) / 0.25, abs=1e-4)
    assert "4.50 USD" in r.detail
    assert "3.60 EUR" in r.detail
    assert "3%" in r.detail


def test_grey_zone_between_25_and_40_percent_is_weak_evidence(
    candidate: Candidate, config: FeatureConfig
) -> None:
    r = price_vs_range(
        candidate(declaration(unit_value=Money(36.0, "EUR")), product(), fx=FxRates()), config
    )
    assert r is not None
    assert r.name == "price_below_range"
    assert r.value == pytest.approx((0.4 - 0.3) / 0.15, abs=1e-4)


def test_rate_valid_on_the_declaration_date_is_used(
    candidate: Candidate, config: FeatureConfig
) -> None:
    early = declaration(unit_value=Money(100.0, "USD"), declared_on=date(2026, 3, 1))
    late = declaration(unit_value=Money(100.0, "USD"), declared_on=date(2026, 8, 1))
    r1 = price_vs_range(candidate(early, product(), fx=USD_EUR), config)
    r2 = price_vs_range(candidate(late, product(), fx=USD_EUR), config)
    assert r1 is not None
    assert "90.00 EUR" in r1.detail
    assert r2 is not None
    assert "80.00 EUR" in r2.detail


def test_abstains_and_says_so_without_a_usable_rate(
    candidate: Candidate, config: FeatureConfig
) -> None:
    before = declaration(unit_value=Money(4.5, "USD"), declared_on=date(2025, 12, 31))
    r = price_vs_range(candidate(before, product(), fx=USD_EUR), config)
    assert r is not None
    assert r.name == "price_unavailable"
    assert r.value == 0.0
    assert "no exchange rate USD->EUR valid on 2025-12-31" in r.detail
    r2 = price_vs_range(
        candidate(declaration(unit_value=Money(4.5, "CNY")), product(), fx=USD_EUR), config
    )
    assert r2 is not None
    assert r2.name == "price_unavailable"


def test_silent_without_declared_value_or_registered_range(
    candidate: Candidate, config: FeatureConfig
) -> None:
    assert price_vs_range(candidate(declaration(), product(), fx=USD_EUR), config) is None
    nan = declaration(unit_value=Money(float("nan"), "EUR"))
    assert price_vs_range(candidate(nan, product(), fx=USD_EUR), config) is None
    d = declaration(unit_value=Money(4.5, "EUR"))
    assert price_vs_range(candidate(d, product(price=None), fx=USD_EUR), config) is None


def test_fx_inverse_and_cross_rates() -> None:
    fx = FxRates(
        (FxRate("EUR", "USD", 1.25, date(2026, 1, 1)), FxRate("EUR", "CNY", 8.0, date(2026, 1, 1)))
    )
    assert fx.rate(from_currency="USD", to_currency="EUR", on=TODAY) == pytest.approx(0.8)
    assert fx.rate(from_currency="USD", to_currency="CNY", on=TODAY) == pytest.approx(6.4)
    assert fx.rate(from_currency="usd", to_currency="USD", on=TODAY) == 1.0
    assert fx.rate(from_currency="USD", to_currency="JPY", on=TODAY) is None
    assert fx.rate(from_currency="USD", to_currency="EUR", on=date(2025, 1, 1)) is None


def test_fx_quote_names_the_stored_rates_it_used() -> None:
    usd = FxRate("EUR", "USD", 1.0812, date(2026, 11, 27), source="ECB")
    cny = FxRate("EUR", "CNY", 7.6543, date(2026, 11, 26), source="ECB")
    fx = FxRates((usd, cny, FxRate("EUR", "USD", 1.05, date(2026, 1, 2))))
    inverse = fx.quote(from_currency="usd", to_currency="EUR", on=TODAY)
    assert inverse is not None
    assert inverse.used == (usd,)  # the most recent rate valid on the day, as stored
    assert inverse.value == fx.rate(from_currency="USD", to_currency="EUR", on=TODAY)
    cross = fx.quote(from_currency="USD", to_currency="CNY", on=TODAY)
    assert cross is not None
    assert cross.used == (usd, cny)
    assert cross.value == fx.rate(from_currency="USD", to_currency="CNY", on=TODAY)
    same = fx.quote(from_currency="EUR", to_currency="eur", on=TODAY)
    assert same is not None
    assert (same.value, same.used) == (1.0, ())
    assert fx.quote(from_currency="USD", to_currency="JPY", on=TODAY) is None


def test_the_sentence_names_the_rate_and_its_date_and_evidence_its_source(
    candidate: Candidate, config: FeatureConfig
) -> None:
    fx = FxRates((FxRate("EUR", "USD", 1.0812, date(2026, 11, 27), source="ECB eurofxref"),))
    d = declaration(unit_value=Money(5.0, "USD"), declared_on=date(2026, 11, 30))
    r = price_vs_range(candidate(d, product(), fx=fx), config)
    assert r is not None
    assert r.name == "price_far_below_range"
    assert r.detail == (
        "declared 5.00 USD (4.62 EUR at 1 EUR = 1.0812 USD, the rate of 2026-11-27) a unit is "
        "4% of the genuine minimum 120.00 EUR, far below any genuine import value"
    )
    assert r.evidence == {
        "converted": 4.6245,
        "converted_currency": "EUR",
        "rate": round(1 / 1.0812, 8),
        "rates_used": "1 EUR = 1.0812 USD",
        "rates_valid_from": "2026-11-27",
        "rates_source": "ECB eurofxref",
    }


def test_a_cross_rate_names_both_rates(candidate: Candidate, config: FeatureConfig) -> None:
    fx = FxRates(
        (
            FxRate("EUR", "USD", 1.25, date(2026, 11, 27)),
            FxRate("EUR", "CNY", 8.0, date(2026, 11, 26)),
        )
    )
    d = declaration(unit_value=Money(400.0, "CNY"), declared_on=date(2026, 11, 30))
    r = price_vs_range(candidate(d, product(price=PriceRange(100.0, 150.0, "USD")), fx=fx), config)
    assert r is not None
    assert r.name == "price_plausible"
    assert r.detail.startswith(
        "declared 400.00 CNY (62.50 USD at 1 EUR = 8 CNY and 1 EUR = 1.25 USD, "
        "the rates of 2026-11-26 and 2026-11-27) a unit is 62% of the genuine minimum 100.00 USD"
    )
    assert r.evidence is not None
    assert "rates_source" not in r.evidence  # no source was stored with these rates


def test_same_currency_has_no_rate_to_name(candidate: Candidate, config: FeatureConfig) -> None:
    r = price_vs_range(
        candidate(declaration(unit_value=Money(60.0, "EUR")), product(), fx=FxRates()), config
    )
    assert r is not None
    assert "rate" not in r.detail
    assert r.evidence is None
