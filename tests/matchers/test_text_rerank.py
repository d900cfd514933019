"""The learned re-ranker of a branded declaration's text candidates (matchers.text.rerank).

The lifted cases are real: the declared title and the catalogue rows of the text benchmarks
(amazon_google gp.csv 2233 and 2528; abt_buy buy.csv 46 and 155, Apache-2.0), where the
first stage put the right product second.
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from matchers.engine import MatchIndex, assess
from matchers.records import Declaration, ProductRecord
from matchers.text import rerank
from matchers.text.rerank import DEFAULT_RERANKER
from tests.matchers.enginekit import build_index
from tests.matchers.featurekit import TODAY

WINDVD = (
    ProductRecord(
        "gp-2528", "rh", "intervideo", "intervideo windvd 8 platinum (pc)",
        description="key features: plays multiple formats superior audio quality...",
    ),
    ProductRecord(
        "gp-2233", "rh", "corel",
        "corel intervideo windvd 8 gold software for windows authoring software",
        description="windvd 8 gold software for windows the windvd 8 gold software for windows "
        "from corel intervideo is a dvd video playback application for windows. the software "
        "leverages computer technologies such as dual-core processors and nvidia pure video "
        "graphics ...",
    ),
)  # fmt: skip
SANUS = (
    ProductRecord(
        "buy-46", "rh", "Sanus", "Sanus Flat Panel TV Wall Mount - VMF", description="Steel - 50 lb"
    ),
    ProductRecord(
        "buy-155", "rh", "Sanus", "Sanus VisionMount Flat Panel TV Wall Mount - MF110-B1",
        description="Steel Aluminum - 100 lb",
    ),
)  # fmt: skip
LIFTED = [
    (WINDVD, Declaration("intervideo windvd 8 gold", brand="intervideo"), "gp-2233"),
    (
        SANUS,
        Declaration(
            "Sanus 15' - 40' VisionMount Flat Panel TV Black Wall Mount - MF110B", brand="Sanus"
        ),
        "buy-155",
    ),
]


def _index(products: tuple[ProductRecord, ...]) -> MatchIndex:
    index = MatchIndex()
    for product in products:
        index.upsert_product(product)
    return index


@pytest.mark.parametrize(("products", "declared", "right"), LIFTED)
def test_a_right_product_ranked_second_is_lifted_to_first(
    products: tuple[ProductRecord, ...], declared: Declaration, right: str
) -> None:
    index = _index(products)
    first = assess(declared, index=index, today=TODAY, reranker=None).matches
    assert [m.product_id for m in first][1] == right  # the first stage puts it second
    matches = assess(declared, index=index, today=TODAY).matches
    assert matches[0].product_id == right
    assert matches[0].similarity >= 0.5
    # the list is ordered by the similarity it shows
    assert [m.similarity for m in matches] == sorted((m.similarity for m in matches), reverse=True)


@pytest.mark.parametrize(
    "declared",
    [
        Declaration("running shoe"),
        Declaration("mens shoes", brand="Mike"),
        Declaration("leather sneaker", brand="generic"),
        Declaration("goods"),
    ],
)
def test_common_words_still_match_nothing(declared: Declaration) -> None:
    assessment = assess(declared, index=build_index(), today=TODAY)
    assert assessment.matches == ()
    assert assessment.lane == "green"


def test_an_unbranded_declaration_is_not_re_ranked() -> None:
    index = build_index()
    declared = Declaration("air zoom pegasus 40 running shoe")
    assert assess(declared, index=index, today=TODAY) == assess(
        declared, index=index, today=TODAY, reranker=None
    )


def test_a_sure_first_choice_stays_as_sure() -> None:
    """The re-ranker re-orders; it does not make the first stage's sure match less sure."""
    index = build_index()
    declared = Declaration("Nike Air Zoom Pegasus 40 running shoe DV3853-001", brand="Nike")
    first = assess(declared, index=index, today=TODAY, reranker=None).matches[0]
    again = assess(declared, index=index, today=TODAY).matches[0]
    assert again.product_id == first.product_id == "p-nike-pegasus"
    assert again.similarity == first.similarity


@pytest.mark.parametrize(("products", "declared", "right"), LIFTED)
def test_deterministic(
    products: tuple[ProductRecord, ...], declared: Declaration, right: str
) -> None:
    once = assess(declared, index=_index(products), today=TODAY)
    assert all(assess(declared, index=_index(products), today=TODAY) == once for _ in range(3))
    # a catalogue registered in another order gives the same answer
    assert assess(declared, index=_index(products[::-1]), today=TODAY) == once


def test_equal_products_score_equally() -> None:
    twins = tuple(ProductRecord(f"p-{i}", "rh", "Nike", "Air Max 90 sneaker") for i in range(4))
    matches = assess(
        Declaration("air max sneaker nike", brand="Nike"), index=_index(twins), today=TODAY
    ).matches
    assert len(matches) == 4
    assert len({m.similarity for m in matches}) == 1


def test_the_shipped_weights_fit_the_features() -> None:
    text = (resources.files("matchers.text") / "data" / "rerank.json").read_text("utf-8")
    data = json.loads(text)
    assert data["version"] == DEFAULT_RERANKER.version
    assert len(DEFAULT_RERANKER.weights) == len(rerank.FEATURES)
    with pytest.raises(ValueError, match="other features"):
        rerank.load(json.dumps({**data, "features": data["features"][:-1]}))


def _row(query: str, brand: str, product: ProductRecord, **findings: float) -> dict[str, float]:
    index = _index((product,))
    cand = rerank.Candidate(product=product, text_score=0.5, similarity=0.5, findings=findings)
    (row,) = rerank.pair_features(
        query=query, brand=brand, candidates=[cand], weight=index.text.token_weight
    )
    return dict(zip(rerank.FEATURES, row, strict=True))


def test_sizes_and_colours_that_differ_are_features() -> None:
    drive = ProductRecord("p-1", "rh", "ioSafe", "ioSafe Rugged Portable 250 GB USB 3.0 Red")
    other = _row("iosafe rugged portable 750gb usb 3.0 black", "ioSafe", drive)
    assert other["sizes_conflict"] == 1.0
    assert other["colour_conflict"] == 1.0
    assert other["colour_agrees"] == 0.0
    same = _row("iosafe rugged portable 250gb red", "ioSafe", drive)
    assert same["sizes_conflict"] == 0.0
    assert same["colour_conflict"] == 0.0
    assert same["colour_agrees"] == 1.0


def test_words_run_together_read_alike_without_spaces() -> None:
    shop = ProductRecord("p-1", "rh", "web", "web shop platinum")
    row = _row("boomerang webshop platinum", "boomerang", shop, brand_differs=1.0)
    # the indexed text is "web web shop platinum": all but the trigrams across "web web"
    assert row["squeezed_product"] == 13 / 15
    assert 0.5 < row["squeezed_query"] < 1.0  # "boomerang" is not in the product's text
    assert row["brand_differs_leading"] == 1.0  # its brand is only its name's first word
    assert row["brand_differs_rare"] == 1.0  # "web" is in this one document only: rarest
    assert _row("boomerang webshop platinum", "boomerang", shop)["brand_differs_rare"] == 0.0
