"""Common words identify no product and no brand; sound-alike brands are look-alikes."""

from __future__ import annotations

from matchers.engine import assess
from matchers.records import Assessment, Declaration, Money, PriceRange, ProductRecord
from matchers.text.commonness import distinctive, is_common
from tests.matchers.enginekit import CATALOGUE, FX, build_index
from tests.matchers.featurekit import TODAY

EXTRA = (
    ProductRecord("p-ultraboost", "rh-adidas", "Adidas", "Ultraboost 22 running shoe"),
    ProductRecord("p-tropicana", "rh-pepsico", "Tropicana", "Tropicana Apple Juice 1 L"),
    ProductRecord("p-gods", "rh-gods", "Godz", "Godz leather jacket"),
    ProductRecord("p-apple", "rh-apple", "Apple", "iPhone 15 smartphone 128GB"),
)
INDEX = build_index((*CATALOGUE, *EXTRA))


def run(text: str, **kw: object) -> Assessment:
    return assess(Declaration(text, **kw), index=INDEX, fx=FX, today=TODAY)  # type: ignore[arg-type]


def test_word_frequencies_tell_ordinary_words_from_names() -> None:
    assert is_common("shoes", threshold=4.2)
    assert is_common("juice", threshold=4.2)
    assert not is_common("ultraboost", threshold=4.2)
    assert not is_common("nike", threshold=4.2)
    assert distinctive(["running", "shoe", "dv3853", "40", "1", "100ml"], threshold=4.2) == (
        "dv3853",
        "40",
    )


def test_a_declaration_of_common_words_identifies_no_product() -> None:
    for text in ("running shoe", "juice", "apple juice", "leather jacket", "goods"):
        a = run(text)
        assert (a.verdict, a.lane, a.matches) == ("no_match", "green", ()), text


def test_a_common_word_that_looks_like_a_brand_is_not_a_lookalike() -> None:
    a = run("Mike mens shoes")
    assert a.verdict == "no_match"
    assert run("goods", brand="goods").verdict == "no_match"


def test_a_brand_that_is_a_common_word_counts_with_context() -> None:
    a = run("Apple iPhone 15 smartphone")
    assert a.matches[0].product_id == "p-apple"
    assert "brand_exact" in [s.name for s in a.matches[0].signals]


def test_distinctive_words_still_identify() -> None:
    assert run("ultraboost 22 running shoes").matches[0].product_id == "p-ultraboost"
    assert run("Tropicana apple juice").matches[0].product_id == "p-tropicana"


def test_a_sound_alike_brand_is_a_lookalike() -> None:
    a = run("Naike running shoes")
    assert a.lane in ("yellow", "red")
    found = a.matches[0].signals if a.matches else a.signals  # a product, or the brand alone
    said = {s.name: s.detail for s in found}["brand_lookalike"]
    assert said.startswith("'Naike' looks like the registered brand 'Nike' (sounds the same)")
    assert run("Nook e-reader").verdict == "no_match"


def test_a_shape_alike_brand_is_a_lookalike() -> None:
    puma = ProductRecord(
        "p-puma-suede", "rh-puma", "Puma", "Suede Classic sneaker",
        price=PriceRange(60.0, 80.0, "EUR"), authorized_origins=("VN",),
    )  # fmt: skip
    index = build_index((*CATALOGUE, puma))
    declared = Declaration(
        "Buta Suede Classic sneaker", origin_country="CN", unit_value=Money(30.0, "EUR")
    )
    a = assess(declared, index=index, fx=FX, today=TODAY)
    assert a.matches[0].product_id == "p-puma-suede"
    assert a.lane in ("yellow", "red")
    said = {s.name: s.detail for s in a.matches[0].signals}["brand_lookalike"]
    assert said.startswith("'Buta' looks like the registered brand 'Puma' (same length and vowels")
    for plain in ("Tuna salad 200 g", "Luna lamp", "Buda castle postcard"):
        assert assess(Declaration(plain), index=index, fx=FX, today=TODAY).verdict == "no_match"
