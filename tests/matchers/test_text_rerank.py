"""The learned re-ranker of a branded declaration's text candidates (matchers.text.rerank).

The lifted cases are real: the declared title and the catalogue rows of the text benchmarks
(amazon_google gp.csv 2233 and 2528; abt_buy buy.csv 46 and 155, Apache-2.0), where the
first stage put the right product second.
"""

from __future__ import annotations

import json
import random
from importlib import resources

import pytest

from matchers.engine import MatchIndex, assess
from matchers.records import Declaration, ProductRecord
from matchers.text import rerank
from matchers.text.index import features, product_document
from matchers.text.rerank import DEFAULT_RERANKER
from matchers.text.similarity import TextFeatures
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


def test_product_texts_from_the_index_are_those_computed_from_the_product() -> None:
    """The texts the match index computes when a product is indexed are the ones the
    re-ranker would compute itself, and re-ranking with them gives the same rows."""
    index = _index(WINDVD + SANUS)
    candidates = [
        rerank.Candidate(product, text_score=0.5, similarity=0.4, findings={}) for product in WINDVD
    ]
    given = [
        rerank.Candidate(
            c.product, c.text_score, c.similarity, c.findings,
            texts=rerank.read_texts(index.rerank_texts[c.product.product_id]),
        )
        for c in candidates
    ]  # fmt: skip
    for c in given:
        assert c.texts == rerank.product_texts(c.product)
    kwargs = {"query": "intervideo windvd 8 gold", "brand": "intervideo"}
    weight = index.text.token_weight
    assert rerank.pair_features(candidates=given, weight=weight, **kwargs) == rerank.pair_features(
        candidates=candidates, weight=weight, **kwargs
    )


def test_product_texts_follow_the_catalogue() -> None:
    index = _index(SANUS)
    changed = ProductRecord("buy-46", "rh", "Sanus", "Sanus Tilting Wall Mount - VMPL50")
    index.upsert_product(changed)
    texts = rerank.read_texts(index.rerank_texts["buy-46"])
    assert texts == rerank.product_texts(changed)
    assert texts[1] is texts[0]  # no description: the described text is the indexed text
    index.remove_product("buy-155")
    assert "buy-155" not in index.rerank_texts


def _sets(text: TextFeatures) -> list[frozenset[str]]:
    return [text.tokens, text.models, text.model_keys, text.model_roots, text.sizes]


def test_stored_texts_are_read_back_as_features_builds_them() -> None:
    """A product's texts as the index stores them (and its snapshot file holds them) are read
    back into sets that iterate in the order of the ones `features` builds from the text (the
    re-ranker sums floats over them, so the order is in its results); a set made again from
    its items may iterate in another order."""
    words = [
        "running",
        "shoe",
        "air",
        "max",
        "pro",
        "v2",
        "7.0",
        "black",
        "500ml",
        "64gb",
        "sh",
        "350",
        "ip",
        "hd",
        "6870",
        "x",
        "2-pack",
    ]
    rng = random.Random(5)
    remade_differs = False
    for i in range(300):
        name = " ".join(rng.sample(words, rng.randint(2, 9)))
        product = ProductRecord(
            f"p{i}",
            "rh",
            rng.choice(("Nike", "Sony", "Dr. Oetker")),
            name,
            model=f"DV{rng.randint(100, 9999)}-0{i % 10}" if i % 3 else None,
            description=" ".join(rng.sample(words, rng.randint(0, 12))),
        )
        text = product_document(product)
        built = features(text), features(f"{text} {product.description}")
        read = rerank.read_texts(rerank.stored_texts(product))
        assert read[:2] == built
        for built_text, read_text in zip(built[:2], read[:2], strict=True):
            for built_set, read_set in zip(_sets(built_text), _sets(read_text), strict=True):
                assert list(read_set) == list(built_set)
                remade_differs |= list(frozenset(list(built_set))) != list(built_set)
    assert remade_differs  # what the order check guards against happens with these texts


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
