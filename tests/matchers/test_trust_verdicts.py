"""Issue 8, the undone cases: a verdict that claims only what was checked, declaration-level
top-level signals, product codes in names, a declared brand as context, the photo margin rule."""

from __future__ import annotations

import pytest

from matchers.engine import assess
from matchers.features.images import strongest_photo_wins
from matchers.images.photo import PhotoHit
from matchers.records import Assessment, Declaration, ImageRecord, Money, PriceRange, ProductRecord
from matchers.scoring import Thresholds, decide
from tests.matchers.enginekit import CATALOGUE, FX, build_index
from tests.matchers.featurekit import TODAY

EXTRA = (
    ProductRecord(
        "p-speaker", "rh-sony", "Sony", "Sony SRS-XB13 portable speaker", model="SO7040-57",
        price=PriceRange(45.0, 70.0, "EUR"), authorized_origins=("VN",),
    ),
    ProductRecord(
        "p-batteries", "rh-duracell", "Duracell", "Duracell Plus AA 12 pack alkaline batteries",
        price=PriceRange(9.0, 12.0, "EUR"), authorized_origins=("BE",),
    ),
    ProductRecord(
        "p-energy-tray", "rh-redbull", "Red Bull", "Red Bull Energy Drink 24 x 250 ml tray",
        price=PriceRange(26.0, 34.0, "EUR"), authorized_origins=("AT",),
    ),
    ProductRecord(
        "p-energy", "rh-redbull", "Red Bull", "Red Bull Energy Drink 250 ml can",
        price=PriceRange(1.2, 1.8, "EUR"), authorized_origins=("AT",),
    ),
)  # fmt: skip
INDEX = build_index((*CATALOGUE, *EXTRA))
PEGASUS = "Nike Air Zoom Pegasus 40 running shoes DV3853-001"


def run(declaration: Declaration) -> Assessment:
    return assess(declaration, index=INDEX, fx=FX, today=TODAY)


@pytest.mark.parametrize(
    "declaration",
    [
        Declaration(PEGASUS),
        Declaration(PEGASUS, brand="Nike", hs_code="640411", quantity=2),
        Declaration(PEGASUS, gtin="00195866123458"),
    ],
)
def test_a_match_with_no_trade_checked_is_not_called_genuine(declaration: Declaration) -> None:
    a = run(declaration)
    assert a.matches[0].product_id == "p-nike-pegasus"
    assert (a.verdict, a.lane) == ("matched_unverified", "green")


@pytest.mark.parametrize(
    "extra",
    [
        {"origin_country": "VN"},
        {"unit_value": Money(70.0, "EUR")},
        {"importer": "Nike Europe Holding BV"},
    ],
)
def test_a_match_whose_checked_trade_fits_is_likely_genuine(extra: dict[str, object]) -> None:
    a = run(Declaration(PEGASUS, **extra))  # type: ignore[arg-type]
    assert (a.verdict, a.lane) == ("likely_genuine", "green")


def test_decide_says_unverified_only_when_green() -> None:
    t = Thresholds()
    assert decide(risk=0.1, implicated=True, thresholds=t, checked=False) == (
        "matched_unverified",
        "green",
    )
    assert decide(risk=0.1, implicated=False, thresholds=t, checked=False)[0] == "no_match"
    assert decide(risk=0.5, implicated=True, thresholds=t, checked=False)[0] == "suspicious"
    assert decide(risk=0.9, implicated=True, thresholds=t, checked=False)[0] == (
        "likely_counterfeit"
    )


def test_top_level_signals_are_the_declarations_not_a_copy_of_the_match() -> None:
    a = run(Declaration("Nike Pegasus 40 replica AAA 1:1", unit_value=Money(5.0, "EUR")))
    assert a.lane == "red"
    top = [s.name for s in a.signals]
    assert top == ["counterfeit_vocabulary"]
    in_match = [s.name for s in a.matches[0].signals]
    assert "counterfeit_vocabulary" in in_match
    assert "price_far_below_range" in in_match
    assert a.signals != a.matches[0].signals


def test_top_level_signals_are_empty_when_nothing_is_said_of_the_declaration_alone() -> None:
    a = run(Declaration(PEGASUS, origin_country="VN"))
    assert a.matches
    assert a.signals == ()


def test_a_code_in_the_products_name_is_not_another_model() -> None:
    a = run(Declaration("Sony SRS-XB13 portable speaker", unit_value=Money(4.6, "EUR")))
    match = a.matches[0]
    assert match.product_id == "p-speaker"
    said = {s.name: s.detail for s in match.signals}
    assert "model_different" not in said
    assert match.similarity >= 0.9
    assert a.lane in ("yellow", "red")


def test_ordinary_words_name_a_product_when_the_brand_field_names_its_brand() -> None:
    declared = Declaration(
        "Red Bull Energy Drink 250 ml can", brand="Red Bull", unit_value=Money(0.1, "EUR")
    )
    a = run(declared)
    assert a.matches
    assert a.matches[0].product_id == "p-energy"
    assert a.lane in ("yellow", "red")
    # without the brand field, the same ordinary words still identify nothing
    plain = run(Declaration("energy drink 250 ml can", unit_value=Money(0.1, "EUR")))
    assert plain.verdict == "no_match"


def test_the_nearest_product_sets_the_risk_not_a_less_similar_sibling() -> None:
    a = run(
        Declaration(
            "Red Bull Energy Drink 250 ml can", brand="Red Bull", unit_value=Money(1.39, "EUR"),
            origin_country="AT",
        )
    )  # fmt: skip
    ids = [m.product_id for m in a.matches]
    assert ids[:2] == ["p-energy", "p-energy-tray"]
    tray = a.matches[1]
    # 1.39 EUR is far below a tray of 24: were the tray's risk the item's, it would be flagged
    assert tray.risk >= Thresholds().yellow
    assert (a.verdict, a.lane) == ("likely_genuine", "green")
    assert a.risk == a.matches[0].risk


ROGUE = {"origin_country": "CN", "importer": "Quick Trade Ltd", "exporter": "Star Deal FZE"}


def test_words_of_a_kind_of_goods_with_no_brand_are_not_red() -> None:
    cheap = Declaration(
        "alkaline batteries AA", quantity=5000, unit_value=Money(0.3, "EUR"), **ROGUE
    )  # type: ignore[arg-type]
    a = run(cheap)
    assert a.lane == "yellow"  # cheap goods of a protected kind: worth a look, not a hold
    said = {s.name: s.detail for s in a.matches[0].signals}
    assert said["brand_unnamed"] == (
        "no brand is declared or named: only the description's words point to "
        "Duracell Plus AA 12 pack alkaline batteries"
    )


def test_the_same_goods_with_their_brand_declared_are_red() -> None:
    named = Declaration(
        "alkaline batteries AA",
        brand="Duracell",
        quantity=5000,
        unit_value=Money(0.3, "EUR"),
        **ROGUE,
    )  # type: ignore[arg-type]
    a = run(named)
    assert a.matches[0].product_id == "p-batteries"
    assert "brand_unnamed" not in {s.name for s in a.matches[0].signals}
    assert a.lane == "red"


def test_a_model_number_or_gtin_needs_no_brand() -> None:
    a = run(Declaration("running shoes DV3853-001"))
    assert "brand_unnamed" not in {s.name for s in a.matches[0].signals}


def _photo(image_id: str, score: float) -> PhotoHit:
    return PhotoHit(image_id, score, inliers=40, inlier_fraction=0.5, evidence="")


def _ref(image_id: str, kind: str) -> ImageRecord:
    return ImageRecord(image_id, "p-x", kind)  # type: ignore[arg-type]


def test_a_photo_as_close_to_the_counterfeit_as_to_the_genuine_is_credited_to_neither() -> None:
    hits = [(_photo("g", 0.9), _ref("g", "genuine")), (_photo("f", 0.9), _ref("f", "counterfeit"))]
    assert strongest_photo_wins(hits, margin_full=0.15) == []


def test_the_stronger_photo_side_wins_scaled_by_its_margin() -> None:
    hits = [(_photo("g", 0.95), _ref("g", "genuine")), (_photo("f", 0.8), _ref("f", "counterfeit"))]
    kept = strongest_photo_wins(hits, margin_full=0.15)
    assert [(h.image_id, h.score) for h, _ in kept] == [("g", 0.95)]
    half = strongest_photo_wins(
        [(_photo("g", 0.85), _ref("g", "genuine")), (_photo("f", 0.925), _ref("f", "counterfeit"))],
        margin_full=0.15,
    )
    assert [(h.image_id, h.score) for h, _ in half] == [("f", 0.4625)]


def test_a_photo_with_no_rival_side_keeps_full_credit() -> None:
    hits = [(_photo("g", 0.8), _ref("g", "genuine")), (_photo("h", 0.75), _ref("h", "genuine"))]
    assert strongest_photo_wins(hits, margin_full=0.15) == hits
