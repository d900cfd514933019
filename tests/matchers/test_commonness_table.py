"""The shipped common-word table answers every question exactly as wordfreq does."""

from __future__ import annotations

import random

import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from matchers.text import commonness
from matchers.text.commonness import BRAND_LANGUAGES, EXACT_FROM, is_common


def test_the_shipped_table_is_what_the_installed_wordfreq_gives() -> None:
    # A wordfreq upgrade fails here: regenerate with `python -m matchers.text.commonness --write`
    # (and bump ENGINE_VERSION if any answer changes).
    assert commonness.TABLE.read_bytes() == commonness.build_table()
    assert set(commonness._shipped()) == set(BRAND_LANGUAGES)  # used, not the slow fallback


@pytest.mark.parametrize("lang", BRAND_LANGUAGES)
def test_answers_match_wordfreq_at_and_above_the_floor(lang: str) -> None:
    full = get_frequency_dict(lang, "best")
    rng = random.Random(7)
    words = rng.sample(sorted(full), 3000)
    words += [w for w in full if 10**-6.2 <= full[w] <= 10**-5.9][:3000]  # around the floor
    words += [
        "shoes",
        "men's",
        "mens",
        "nike",
        "apple",
        "gap",
        "bravo",
        "iphone 15",
        "4k",
        "ultraboost",
        "aaa",
        "1:1",
        "don't",
        "rock-and-roll",
        "",
        "  ",
        "é",
        "goods",
    ]
    for word in words:
        for form in (word, f"{word}s", f"{word}'s"):
            old, new = zipf_frequency(form, lang), commonness._zipf_frequency(form, lang)
            if old >= EXACT_FROM or new != 0.0:
                assert new == old, (lang, form)
            assert (new >= EXACT_FROM) == (old >= EXACT_FROM), (lang, form)


def test_common_words_and_brands_read_as_before() -> None:
    assert is_common("shoe", threshold=4.2)
    assert is_common("goods", threshold=4.2)
    assert not is_common("ultraboost", threshold=4.2)
    assert is_common("bravo", threshold=4.4, languages=BRAND_LANGUAGES)
    assert not is_common("nike", threshold=4.2)


def test_a_threshold_below_the_kept_words_is_refused() -> None:
    with pytest.raises(ValueError, match="not kept"):
        is_common("shoe", threshold=2.5)
