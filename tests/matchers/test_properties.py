"""Hypothesis properties of the engine: bounds, monotonicity, isolation and determinism."""

from __future__ import annotations

import dataclasses
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchers.engine import MatchIndex, assess
from matchers.records import Assessment, Declaration, Money, ProductRecord
from matchers.scoring import nearly_as_similar
from matchers.weights import DEFAULT_WEIGHTS
from tests.matchers.enginekit import CATALOGUE, FX, build_index
from tests.matchers.featurekit import ADIDAS_GTIN, NIKE_GTIN, TODAY

# Catalogue-like words; none contains q, j, v, w or x, which unrelated products use.
WORDS = [
    "nike",
    "air",
    "zoom",
    "pegasus",
    "40",
    "running",
    "shoe",
    "adidas",
    "superstar",
    "leather",
    "sneaker",
    "sony",
    "turntable",
    "stereo",
    "belt",
    "drive",
    "louis",
    "speedy",
    "30",
    "monogram",
    "canvas",
    "handbag",
    "black",
    "red",
    "mens",
    "size",
    "42",
    "replica",
    "aaa",
    "1:1",
    "original",
    "copy",
    "dv3853-001",
    "eg4958",
    "m41108",
    "ps-lx350h",
    "cn8490-100",
    "nkie",
    "adidoss",
]
UNRELATED = "qjvwx"
INDEX = build_index()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

descriptions = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
money = st.builds(
    Money,
    st.floats(min_value=0.0, max_value=5000.0, allow_nan=False),
    st.sampled_from(["EUR", "USD", "CNY", "JPY"]),
)
declarations = st.builds(
    Declaration,
    description=descriptions,
    brand=st.none() | st.sampled_from(["Nike", "Adidas", "Sony", "Puma", "Nkie", "LV"]),
    hs_code=st.none() | st.sampled_from(["640411", "640399", "420221", "851981", "9503"]),
    gtin=st.none() | st.sampled_from([NIKE_GTIN, ADIDAS_GTIN, "12345678", "4006381333932"]),
    quantity=st.none() | st.integers(min_value=1, max_value=10_000),
    unit_value=st.none() | money,
    origin_country=st.none() | st.sampled_from(["CN", "VN", "FR", "KH", "TR"]),
    importer=st.none() | st.sampled_from(["Nike Europe Holding BV", "Quick Trade Ltd"]),
    declared_on=st.none() | st.dates(min_value=date(2025, 6, 1), max_value=TODAY),
)


def score(declaration: Declaration, index: MatchIndex = INDEX) -> Assessment:
    return assess(declaration, index=index, fx=FX, today=TODAY)


@SETTINGS
@given(declarations)
def test_risk_and_similarity_stay_in_the_unit_interval(declaration: Declaration) -> None:
    a = score(declaration)
    assert 0.0 <= a.risk <= 1.0
    for m in a.matches:
        assert 0.0 <= m.risk <= 1.0
        assert 0.0 <= m.similarity <= 1.0
    if a.matches:
        # the riskiest of the matches nearly as similar as the best (the nearest product wins)
        margin = DEFAULT_WEIGHTS.config.product_margin
        best = a.matches[0].similarity
        near = [m for m in a.matches if nearly_as_similar(m.similarity, best, margin=margin)]
        assert a.risk == max(m.risk for m in near)
    if a.verdict == "no_match":
        assert a.lane == "green"
        assert a.matches == ()


@SETTINGS
@given(declarations, money, st.floats(min_value=0.0, max_value=1.0))
def test_a_lower_declared_price_never_lowers_risk(
    declaration: Declaration, value: Money, factor: float
) -> None:
    high = score(dataclasses.replace(declaration, unit_value=value))
    lower = Money(value.amount * factor, value.currency)
    low = score(dataclasses.replace(declaration, unit_value=lower))
    assert low.risk >= high.risk
    for lm, hm in zip(low.matches, high.matches, strict=True):
        assert lm.product_id == hm.product_id
        assert lm.risk >= hm.risk


@SETTINGS
@given(declarations)
def test_an_authorized_importer_never_raises_risk(declaration: Declaration) -> None:
    unknown = score(dataclasses.replace(declaration, importer="Quick Trade Ltd"))
    authorized = score(dataclasses.replace(declaration, importer="NIKE EUROPE HOLDING B.V."))
    assert authorized.risk <= unknown.risk


unrelated_words = st.text(alphabet=UNRELATED, min_size=3, max_size=9)
unrelated_products = st.builds(
    ProductRecord,
    product_id=st.text(alphabet=UNRELATED, min_size=4, max_size=8).map("zz-".__add__),
    rights_holder_id=st.just("rh-other"),
    brand=unrelated_words.map(str.title),
    name=st.lists(unrelated_words, min_size=1, max_size=4).map(" ".join),
    model=st.none() | st.text(alphabet=UNRELATED, min_size=3, max_size=5).map(lambda s: s + "77"),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declarations, unrelated_products)
def test_adding_an_unrelated_product_never_changes_a_result(
    declaration: Declaration, extra: ProductRecord
) -> None:
    index = build_index()
    before = score(declaration, index)
    index.upsert_product(extra)
    assert score(declaration, index) == before
    index.remove_product(extra.product_id)
    assert score(declaration, index) == before


@SETTINGS
@given(declarations)
def test_same_input_same_result_byte_for_byte(declaration: Declaration) -> None:
    first = score(declaration)
    assert repr(score(declaration)) == repr(first)
    assert repr(score(declaration, build_index(tuple(reversed(CATALOGUE))))) == repr(first)
