"""Golden cases for the identity features: brand, text similarity, model number."""

from __future__ import annotations

from matchers.features import identity
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig
from tests.matchers.featurekit import Candidate, brand_hit, declaration, product

IDENTITY = DEFAULT_WEIGHTS.identity


def test_brand_exact_names_the_product_brand(candidate: Candidate, config: FeatureConfig) -> None:
    r = identity.brand_named(
        candidate(brand_hits=[brand_hit("Nike", "exact", 1.0, "NIKE")]), config
    )
    assert r is not None
    assert r.name == "brand_exact"
    assert r.value == 1.0
    assert IDENTITY[r.name] > 0
    assert "Nike" in r.detail


def test_brand_alias_prefers_exact_when_both_present(
    candidate: Candidate, config: FeatureConfig
) -> None:
    hits = [brand_hit("Nike", "alias", 1.0, "swoosh"), brand_hit("Nike", "exact", 0.95, "nike")]
    r = identity.brand_named(candidate(brand_hits=hits), config)
    assert r is not None
    assert r.name == "brand_exact"
    alias = candidate(brand_hits=[brand_hit("Nike", "alias", 1.0, "swoosh")])
    only_alias = identity.brand_named(alias, config)
    assert only_alias is not None
    assert only_alias.name == "brand_alias"


def test_brand_named_ignores_other_brands_and_lookalikes(
    candidate: Candidate, config: FeatureConfig
) -> None:
    other = candidate(brand_hits=[brand_hit("Adidas", "exact", 1.0, "adidas")])
    assert identity.brand_named(other, config) is None
    fake = candidate(brand_hits=[brand_hit("Nike", "lookalike", 0.9, "nkie")])
    assert identity.brand_named(fake, config) is None
    assert identity.brand_named(candidate(), config) is None


def test_brand_lookalike_positive_and_negative(candidate: Candidate, config: FeatureConfig) -> None:
    fake = [brand_hit("Nike", "lookalike", 0.9, "Nkie", "Nkie imitates Nike")]
    r = identity.brand_lookalike(candidate(brand_hits=fake), config)
    assert r is not None
    assert r.name == "brand_lookalike"
    assert r.value == 0.9
    assert r.detail == "Nkie imitates Nike"
    exact = candidate(brand_hits=[brand_hit("Nike", "exact", 1.0, "nike")])
    assert identity.brand_lookalike(exact, config) is None


def test_brand_differs_when_brand_field_names_another_brand(
    candidate: Candidate, config: FeatureConfig
) -> None:
    ctx = candidate(
        declaration(brand="Puma"), brand_field_hits=[brand_hit("Puma", "exact", 1.0, "puma")]
    )
    r = identity.brand_differs(ctx, config)
    assert r is not None
    assert r.name == "brand_differs"
    assert IDENTITY[r.name] < 0
    assert "Puma" in r.detail


def test_brand_differs_abstains_for_own_brand_alias_or_lookalike(
    candidate: Candidate, config: FeatureConfig
) -> None:
    p = product(brand_aliases=("Nike Inc",))
    fake = [brand_hit("Nike", "lookalike", 0.9, "Nkie")]
    assert identity.brand_differs(candidate(declaration(brand="NIKE"), p), config) is None
    assert identity.brand_differs(candidate(declaration(brand="nike inc"), p), config) is None
    nkie = candidate(declaration(brand="Nkie"), p, brand_field_hits=fake)
    assert identity.brand_differs(nkie, config) is None
    assert identity.brand_differs(candidate(declaration(), p), config) is None
    assert identity.brand_differs(candidate(declaration(brand="Unbranded"), p), config) is None
    assert identity.brand_differs(candidate(declaration(brand="N/A"), p), config) is None


def test_brand_differs_weighs_an_unregistered_brand_at_half(
    candidate: Candidate, config: FeatureConfig
) -> None:
    # a name no brand owner registered may be the maker or a distributor: half weight
    r = identity.brand_differs(candidate(declaration(brand="Terk")), config)
    assert r is not None
    assert r.value == 0.5
    registered = candidate(
        declaration(brand="Terk"), brand_field_hits=[brand_hit("Terk", "exact", 1.0, "terk")]
    )
    full = identity.brand_differs(registered, config)
    assert full is not None
    assert full.value == 1.0


def test_brand_differs_abstains_when_the_brands_share_a_word_or_the_description_names_it(
    candidate: Candidate, config: FeatureConfig
) -> None:
    encore = product(brand="Encore Inc", name="Midway Arcade Treasures")
    sibling = candidate(declaration(brand="Encore Software"), encore)
    assert identity.brand_differs(sibling, config) is None
    # a shared ordinary word is not a shared name
    ordinary = candidate(declaration(brand="Running Company"))
    assert identity.brand_differs(ordinary, config) is not None
    playstation = product(brand="PlayStation", name="PlayStation 2 DUALSHOCK controller")
    named = candidate(
        declaration(brand="Sony", description="PlayStation 2 DUALSHOCK controller"),
        playstation,
        brand_hits=[brand_hit("PlayStation", "exact", 1.0, "playstation")],
    )
    assert identity.brand_differs(named, config) is None


def test_text_similarity_scales_above_the_floor_and_abstains_below(
    candidate: Candidate, config: FeatureConfig
) -> None:
    pegasus = declaration(description="pegasus running shoes")
    high = identity.text_similarity(candidate(pegasus, text_score=0.95), config)
    assert high is not None
    assert high.value == 0.9
    assert IDENTITY[high.name] * high.value > 0  # evidence for the product
    assert "95%" in high.detail
    assert identity.text_similarity(candidate(text_score=0.5), config) is None
    assert identity.text_similarity(candidate(text_score=0.2), config) is None
    noted = identity.text_similarity(
        candidate(pegasus, text_score=0.9, text_note=" (reading x as Nike)"), config
    )
    assert noted is not None
    assert noted.detail.endswith("(reading x as Nike)")
    plain = declaration(description="mens running shoes")  # only common words
    assert identity.text_similarity(candidate(plain, text_score=0.95), config) is None


def test_text_similarity_counts_a_lead_over_every_other_product(
    candidate: Candidate, config: FeatureConfig
) -> None:
    branded = declaration(description="pegasus running shoes", brand="Nike")
    alone = identity.text_similarity(candidate(branded, text_score=0.7), config)
    ahead = identity.text_similarity(candidate(branded, text_score=0.7, text_lead=0.15), config)
    assert alone is not None
    assert ahead is not None
    assert ahead.value > alone.value
    assert ahead.detail.endswith("far closer than any other registered product")
    assert ahead.evidence == {"text_score": 0.7, "lead": 0.15}
    assert "70%" in ahead.detail  # the sentence gives the text's own score
    # words of a kind of goods with no brand lead only for want of rivals: no credit
    unbranded = declaration(description="pegasus running shoes")
    plain = identity.text_similarity(candidate(unbranded, text_score=0.7), config)
    led = identity.text_similarity(candidate(unbranded, text_score=0.7, text_lead=0.15), config)
    assert plain is not None
    assert led is not None
    assert led.value == plain.value


def test_model_same_with_separators_and_colour_suffix(
    candidate: Candidate, config: FeatureConfig
) -> None:
    for text in ("Nike shoe DV3853-001", "nike dv3853001 black", "Nike DV3853 size 42"):
        r = identity.model_number(candidate(declaration(description=text)), config)
        assert r is not None, text
        assert r.name == "model_same", text


def test_model_different_for_another_part_number(
    candidate: Candidate, config: FeatureConfig
) -> None:
    r = identity.model_number(candidate(declaration(description="Nike shoe FD2722-002")), config)
    assert r is not None
    assert r.name == "model_different"
    assert IDENTITY[r.name] < 0


def test_model_same_for_a_code_of_the_product_name_beside_its_model_field(
    candidate: Candidate, config: FeatureConfig
) -> None:
    battery = product(brand="Canon", name="Canon NB-2LH Rechargeable Battery", model="8723A001")
    r = identity.model_number(
        candidate(declaration(description="Canon battery NB-2LH"), battery), config
    )
    assert r is not None
    assert r.name == "model_same"
    assert '"NB-2LH"' in r.detail


def test_model_not_different_when_the_name_writes_the_code_in_pieces(
    candidate: Candidate, config: FeatureConfig
) -> None:
    camera = product(brand="Canon", name="Canon EOS 40D Digital SLR Camera", model="1901B004")
    body = candidate(declaration(description="Canon EOS 40D camera - EOS40DBODY"), camera)
    assert identity.model_number(body, config) is None
    other = candidate(declaration(description="Canon EOS 50D camera - EOS50DBODY"), camera)
    r = identity.model_number(other, config)
    assert r is not None
    assert r.name == "model_different"


def test_model_not_different_for_the_same_model_in_another_colour(
    candidate: Candidate, config: FeatureConfig
) -> None:
    yamaha = product(brand="Yamaha", name="Yamaha Home Theater System", model="YHT-390BL")
    black = candidate(declaration(description="Yamaha home theater - YHT390BK"), yamaha)
    assert identity.model_number(black, config) is None
    other = candidate(declaration(description="Yamaha home theater - YHT490BK"), yamaha)
    r = identity.model_number(other, config)
    assert r is not None
    assert r.name == "model_different"


def test_model_abstains_without_codes_or_with_sizes_only(
    candidate: Candidate, config: FeatureConfig
) -> None:
    sized = candidate(declaration(description="Nike running shoe 100ml"))
    assert identity.model_number(sized, config) is None
    codeless = candidate(
        declaration(description="Nike shoe XY123Z"), product(model=None, name="Shoe")
    )
    assert identity.model_number(codeless, config) is None


def test_brand_level_takes_the_strongest_hit_lookalike_first_at_equal_strength(
    candidate: Candidate, config: FeatureConfig
) -> None:
    hits = [
        brand_hit("Nike", "exact", 0.9, "nike"),
        brand_hit("Adidas", "lookalike", 0.9, "Adidoss"),
    ]
    r = identity.brand_level(candidate(brand_hits=hits), config)
    assert r is not None
    assert r.name == "brand_lookalike"
    assert "no registered product" in r.detail
    halved = [
        brand_hit("Samsung", "exact", 1.0, "samsung"),
        brand_hit("Sirius", "lookalike", 0.45, "series"),
    ]
    r2 = identity.brand_level(candidate(brand_hits=halved), config)
    assert r2 is not None
    assert r2.name == "brand_exact"
    assert identity.brand_level(candidate(), config) is None


def test_model_number_is_quoted_as_declared(candidate: Candidate, config: FeatureConfig) -> None:
    same = identity.model_number(
        candidate(declaration(description="Pegasus DV3853-001 shoes")), config
    )
    assert same is not None
    assert same.detail == (
        'declared model "DV3853-001" is the model of Nike Air Zoom Pegasus 40 running shoe'
    )
    other = identity.model_number(candidate(declaration(description="Pegasus FQ1234-100")), config)
    assert other is not None
    assert other.detail == 'declared model "FQ1234-100" is not DV3853-001'


def test_text_similarity_names_the_brand_once(candidate: Candidate, config: FeatureConfig) -> None:
    juice = product(brand="Tropicana", name="Tropicana Apple Juice 1 L")
    r = identity.text_similarity(
        candidate(declaration(description="tropicana juice"), juice, text_score=0.9), config
    )
    assert r is not None
    assert r.detail == 'declared text is 90% similar to "Tropicana Apple Juice 1 L"'
