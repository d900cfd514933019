"""Brand index: exact and alias hits, look-alikes (and what is not one), counts, evidence."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchers.brands.index import QUERY_DELETES, BrandIndex, known_brands
from matchers.brands.lookalike import deletes, lookalike_score
from matchers.brands.phonetic import is_shape_alike

REGISTERED = [
    "Adidas", "Nike", "Gucci", "Puma", "Armani", "Louis Vuitton", "Hugo Boss", "Pringles",
    "Starbucks", "Nestlé", "Rolex", "Chanel",
]  # fmt: skip


@pytest.fixture
def index() -> BrandIndex:
    idx = BrandIndex()
    for brand in REGISTERED:
        idx.add(brand, rights_holder_id=f"rh-{brand.lower()}")
    idx.add("Louis Vuitton", rights_holder_id="rh-louis vuitton", aliases=("LV",))
    return idx


def top(index: BrandIndex, text: str, min_score: float = 0.8) -> tuple[str, str] | None:
    hits = index.lookup(text, min_score=min_score)
    return (hits[0].brand, hits[0].kind) if hits else None


@pytest.mark.parametrize(
    ("text", "brand", "kind"),
    [
        ("Nike", "Nike", "exact"),
        ("mens running shoes NIKE air max", "Nike", "exact"),
        ("louis vuitton speedy 30 handbag", "Louis Vuitton", "exact"),
        ("LouisVuitton bag", "Louis Vuitton", "exact"),
        ("LV wallet", "Louis Vuitton", "alias"),
        ("HUGO BOSS suit", "Hugo Boss", "exact"),
        ("Nestle chocolate", "Nestlé", "exact"),
        ("Levi's style Nikes", "Nike", "exact"),
        ("Adidoss trainers", "Adidas", "lookalike"),
        ("Abibas", "Adidas", "lookalike"),
        ("adiads", "Adidas", "lookalike"),
        ("Nkie shoes", "Nike", "lookalike"),
        ("Guccі belt", "Gucci", "lookalike"),  # Cyrillic і
        ("Pума sneakers", "Puma", "lookalike"),  # Cyrillic у, м, а
        ("N1ke air", "Nike", "lookalike"),
        ("ad1das", "Adidas", "lookalike"),
        ("R0lex watch", "Rolex", "lookalike"),
        ("Anmani jeans", "Armani", "lookalike"),
        ("Louis Vuiton bag", "Louis Vuitton", "lookalike"),
        ("Prongles chips", "Pringles", "lookalike"),
        ("Chanell perfume", "Chanel", "lookalike"),
        ("Cugci Ophidia wallet", "Gucci", "lookalike"),  # sounds the same, C/G alike
        ("Nkies running shoes", "Nike", "lookalike"),  # a plural of a look-alike
        ("Buta sneakers", "Puma", "lookalike"),  # keeps the shape: length, vowels, first letter
        ("Qucci bag", "Gucci", "lookalike"),
    ],
)
def test_lookup_finds(index: BrandIndex, text: str, brand: str, kind: str) -> None:
    assert top(index, text) == (brand, kind)


@pytest.mark.parametrize(
    "text",
    [
        "Nikon D3500 camera",  # a different real brand, one letter from "Nike" + suffix
        "Nokia phone",
        "Pump action sprayer",
        "mountain bike",
        "Mike's hard lemonade",
        "Tuna salad",  # the shape of Puma, but an ordinary word
        "Buda castle",
        "Luna lamp",
        "Hugo static site generator",  # half a multi-word brand is not the brand
        "plain cotton t-shirt",
        "",
    ],
)
def test_lookup_rejects(index: BrandIndex, text: str) -> None:
    assert index.lookup(text) == []


@pytest.mark.parametrize(
    ("name", "word", "alike"),
    [
        ("puma", "buta", True),  # 'p' -> 'b' look-alike first letter, one more letter changed
        ("puma", "duna", True),
        ("sony", "zoky", True),
        ("nike", "mibe", True),
        ("rolex", "tolem", False),  # 'r' and 't' do not look alike
        ("puma", "pupa", False),  # the first letter kept: an ordinary edit, not this class
        ("puma", "bumba", False),  # another length
        ("puma", "bume", False),  # a vowel moved
        ("puma", "btta", False),
        ("puma", "bkxa", False),  # two letters beside the first changed
    ],
)
def test_a_shape_alike_keeps_length_vowels_and_a_look_alike_first_letter(
    name: str, word: str, alike: bool
) -> None:
    assert is_shape_alike(name, word) is alike


def test_a_shape_alike_is_never_an_ordinary_word() -> None:
    idx = BrandIndex()
    idx.add("Puma", rights_holder_id="rh")
    assert [h.brand for h in idx.lookup("Buta")] == ["Puma"]
    assert idx.lookup("Buta")[0].evidence == (
        "'Buta' looks like the registered brand 'Puma' (same length and vowels, "
        "look-alike letter 'p' -> 'b', letter changed 'm' -> 't')"
    )
    for word in ("Tuna", "Buda", "Puta", "Pupa", "Bula"):  # words of en, de, fr, es or it
        assert idx.lookup(word) == [], word


def test_a_different_registered_brand_is_not_a_lookalike(index: BrandIndex) -> None:
    index.add("Nikon", rights_holder_id="rh-nikon")
    hits = index.lookup("Nikon camera", min_score=0.0)
    assert [(h.brand, h.kind) for h in hits] == [("Nikon", "exact")]


def test_known_real_brands_guard_lookalikes() -> None:
    assert {"nikon", "puma", "adidas", "louisvuitton", "bosch", "sonos"} <= known_brands()
    idx = BrandIndex()
    idx.add("Bose", rights_holder_id="rh")
    idx.add("Sony", rights_holder_id="rh")
    # "Bosch", "Boss" and "Sonos" are real brands of their own; "Boose" and "Sonny" are not.
    for text in ("Bosch drill", "Boss pedal", "Sonos speaker"):
        assert idx.lookup(text, min_score=0.0) == []
    assert top(idx, "Boose speaker") == ("Bose", "lookalike")
    assert top(idx, "Sonny tv", min_score=0.7) == ("Sony", "lookalike")


def test_evidence_and_score(index: BrandIndex) -> None:
    hit = index.lookup("Adidoss")[0]
    assert hit.evidence == (
        "'Adidoss' looks like the registered brand 'Adidas' "
        "(vowel swapped 'a' -> 'o', letter doubled 's')"
    )
    assert 0.8 <= hit.score < 1.0
    assert hit.rights_holder_ids == ("rh-adidas",)
    homoglyph = index.lookup("Guccі")[0]
    assert "Cyrillic" in homoglyph.evidence
    assert homoglyph.matched_text == "Guccі"
    exact = index.lookup("Gucci")[0]
    assert (exact.kind, exact.score) == ("exact", 1.0)


def test_reference_counts_per_rights_holder() -> None:
    idx = BrandIndex()
    idx.add("Nike", rights_holder_id="a")
    idx.add("Nike", rights_holder_id="a")
    idx.add("Nike", rights_holder_id="b")
    assert idx.lookup("nike")[0].rights_holder_ids == ("a", "b")
    idx.remove("Nike", rights_holder_id="b")
    idx.remove("Nike", rights_holder_id="a")
    assert idx.lookup("nike")[0].rights_holder_ids == ("a",)
    idx.remove("Nike", rights_holder_id="a")
    assert idx.lookup("nike") == []
    assert idx.lookup("nkie") == []
    assert len(idx) == 0


def test_alias_removed_with_its_product() -> None:
    idx = BrandIndex()
    idx.add("Louis Vuitton", rights_holder_id="lv", aliases=("LV",))
    idx.remove("Louis Vuitton", rights_holder_id="lv", aliases=("LV",))
    assert idx.lookup("LV monogram") == []


# Knock-off names seen in the wild (a sample of /work/shared/data/brands/knockoff_names_seed.csv).
SEED = [
    ("Adidas", "Adidoss"), ("Adidas", "Adiads"), ("Adidas", "abibas"), ("Adidas", "adibos"),
    ("Adidas", "Dadiads"), ("Armani", "Anmani"), ("Armani", "Armwni"), ("Nike", "Nkies"),
    ("Pringles", "Prongles"), ("Tide", "Tids"), ("Gucci", "Cugci"), ("Starbucks", "Sunbucks"),
    ("Star Wars", "Star Wnrs"), ("Red Bull", "Rid Bull"), ("PlayStation", "PolyStation"),
    ("Minecraft", "Mooncraft"), ("Kit Kat", "Kat Kot"), ("Puma", "Buta"),
]  # fmt: skip


def test_seed_knockoffs_mostly_found() -> None:
    idx = BrandIndex()
    for brand in sorted({b for b, _ in SEED}):
        idx.add(brand, rights_holder_id="rh")
    found = [k for b, k in SEED if any(h.brand == b for h in idx.lookup(k, min_score=0.6))]
    assert len(found) >= 0.75 * len(SEED), found
    for must in ("Adidoss", "Adiads", "abibas", "Anmani", "Prongles", "Star Wnrs", "Rid Bull"):
        assert must in found


def test_lookalike_edit_costs_are_ordered() -> None:
    transposed, _ = lookalike_score("nike", "nkie")
    changed, _ = lookalike_score("nike", "nxke")
    assert transposed > changed
    vowel, _ = lookalike_score("adidas", "adidos")
    consonant, _ = lookalike_score("adidas", "adigas")
    assert vowel > consonant


def test_lookup_shortlist_does_not_grow_with_the_number_of_brands() -> None:
    rnd = random.Random(7)
    idx = BrandIndex()
    idx.add("Adidas", rights_holder_id="rh")

    def comparisons() -> int:
        before = idx.comparisons
        idx.lookup("Adidoss originals trainers")
        return idx.comparisons - before

    small = comparisons()
    for _ in range(2000):
        name = "".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(5, 10)))
        idx.add(name, rights_holder_id="rh")
    assert comparisons() <= small + 10


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(REGISTERED), st.text(alphabet="abcdefgh ", max_size=20))
def test_registered_brand_found_exactly_in_any_context(brand: str, noise: str) -> None:
    idx = BrandIndex()
    for b in REGISTERED:
        idx.add(b, rights_holder_id="rh")
    hits = idx.lookup(f"{noise} {brand} {noise}", min_score=0.0, limit=50)
    assert (brand, "exact", 1.0) in [(h.brand, h.kind, h.score) for h in hits]
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert hits == idx.lookup(f"{noise} {brand} {noise}", min_score=0.0, limit=50)


def test_model_number_shortlist_equals_the_deletion_neighbourhood() -> None:
    rnd = random.Random(3)
    idx = BrandIndex()
    names = ["KHOI1971", "x16-81686-03", "Importer520", "3M", "7-Eleven", "24/7 Cases", "MBR1200"]
    for name in names:
        idx.add(name, rights_holder_id="rh")
    for _ in range(300):
        idx.add("".join(rnd.choices("ab1khoi", k=rnd.randint(3, 14))), rights_holder_id="rh")
    for _ in range(500):
        query = "".join(rnd.choices("ab12khoi97", k=rnd.randint(3, 14)))
        via_deletes = {n for v in deletes(query, QUERY_DELETES) for n in idx._neighbours.get(v, ())}
        assert idx._shortlist(query) == via_deletes
    assert "khoi1971" in idx._shortlist("kh0i1971")


def test_an_edit_made_twice_is_said_once_with_its_count() -> None:
    from matchers.brands.lookalike import describe, edits

    assert describe(edits("adidas", "abibas")) == "look-alike letter 'd' -> 'b' twice"
