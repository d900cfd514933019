"""The cases of issue 8 through `assess`: identity is not suspicion, claims do not cancel facts."""

from __future__ import annotations

from matchers.engine import assess
from matchers.records import Assessment, Declaration, Money
from tests.matchers.enginekit import FX, build_index
from tests.matchers.featurekit import ADIDAS_GTIN, TODAY

PEGASUS = "Nike Air Zoom Pegasus 40 running shoes DV3853-001"


def run(declaration: Declaration) -> Assessment:
    return assess(declaration, index=build_index(), fx=FX, today=TODAY)


def details(a: Assessment) -> dict[str, str]:
    return {s.name: s.detail for s in a.matches[0].signals}


def test_a_perfect_match_in_commercial_quantity_with_authorised_facts_stays_green() -> None:
    a = run(
        Declaration(
            PEGASUS, brand="Nike", hs_code="640411", gtin="00195866123458", quantity=200,
            unit_value=Money(70.0, "EUR"), origin_country="VN", importer="Nike Europe Holding BV",
        )
    )  # fmt: skip
    assert a.matches[0].similarity >= 0.95
    assert a.lane == "green"
    assert a.risk < 0.05
    said = details(a)["commercial_quantity"]
    assert "luxury" not in said
    assert said.endswith("a commercial quantity of footwear (10 units or more)")


def test_an_authorised_importers_name_does_not_cancel_a_price_at_a_few_percent() -> None:
    for amount in (5.0, 16.8):  # 4% and 14% of the 120 EUR genuine minimum
        a = run(
            Declaration(
                PEGASUS, brand="Nike", unit_value=Money(amount, "EUR"),
                importer="Nike Europe Holding BV",
            )
        )  # fmt: skip
        assert a.lane in ("yellow", "red"), (amount, a)


def test_counterfeit_vocabulary_with_a_far_too_low_price_is_red() -> None:
    a = run(
        Declaration("Nike Pegasus 40 replica AAA 1:1 mirror quality", unit_value=Money(5.0, "EUR"))
    )
    assert a.lane == "red"
    assert '"1:1"' in details(a)["counterfeit_vocabulary"]


def test_another_brands_gtin_on_a_declared_shoe_is_red() -> None:
    a = run(Declaration("Nike Air Zoom Pegasus 40 running shoe", brand="Nike", gtin=ADIDAS_GTIN))
    assert a.lane == "red"
    assert "gtin_other_brand" in [s.name for s in a.matches[0].signals]


def test_identity_signals_carry_no_suspicion() -> None:
    a = run(Declaration(PEGASUS, brand="Nike", gtin="00195866123458"))
    contributions = {s.name: s.contribution for s in a.matches[0].signals}
    assert contributions["model_same"] == contributions["gtin_this_product"] == 0.0
    assert contributions["text_similarity"] == contributions["brand_exact"] == 0.0


def test_one_authorised_party_is_not_counted_in_plural() -> None:
    a = run(Declaration(PEGASUS, importer="Quick Trade Ltd"))
    said = details(a)["importer_not_authorized"]
    assert said == "the declared importer is not the importer Nike authorised"


def test_unauthorised_origin_and_parties_in_bulk_are_yellow_even_without_a_price() -> None:
    a = run(
        Declaration(
            "nike air zoom pegasus 40 mens running shoe", brand="Nike", hs_code="640411",
            quantity=400, origin_country="CN", importer="Jan Kowalski Trading",
        )
    )  # fmt: skip
    assert a.lane == "yellow"
