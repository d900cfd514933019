"""How common a word is in the language: ordinary words identify no product and no brand.

Frequencies are wordfreq's Zipf scale (log10 of occurrences per billion words: "the" is
about 7.7, "shoe" 4.2, "Nike" 3.9, "Ultraboost" 1.6). A word at or above a threshold
is common; a registered brand that is a common word ("Apple", "Gap", "Bravo" in Italian)
needs context to count.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from wordfreq import get_frequency_dict, zipf_frequency

from matchers.text.normalize import is_size

LANGUAGES = ("en",)
BRAND_LANGUAGES = ("en", "de", "fr", "es", "it")  # a brand may be a common word elsewhere


@lru_cache(maxsize=65_536)
def zipf(word: str, languages: tuple[str, ...] = LANGUAGES) -> float:
    """The word's highest Zipf frequency in `languages`, a plural or possessive read as its
    stem too ("mens" as "men's", "shoes" as "shoe")."""
    forms = [word]
    if len(word) > 3 and word.endswith("s"):
        forms += [word[:-1], f"{word[:-1]}'s"]
    return max(zipf_frequency(f, lang) for f in forms for lang in languages)


def warm(languages: Iterable[str] = BRAND_LANGUAGES) -> None:
    """Load wordfreq's word lists now. They load lazily, and the first look-up in each
    language unpacks its list: about 4 s of CPU for the five languages, which the first
    screening of a fresh worker paid (1.4-5 s at 100k products, load 3)."""
    for lang in languages:
        get_frequency_dict(lang, "best")  # as zipf_frequency asks (lru_cache keys on the form)


def is_common(word: str, *, threshold: float, languages: tuple[str, ...] = LANGUAGES) -> bool:
    """Whether `word` (normalised) is at least as frequent as `threshold` in `languages`."""
    return zipf(word, languages) >= threshold


def is_distinctive(token: str, *, threshold: float) -> bool:
    """A normalised token that can tell products apart: a code with digits, a number of two or
    more digits, or a word of three or more letters that is not common."""
    if is_size(token):
        return False
    if any(c.isdigit() for c in token):
        return len(token) >= 2
    return len(token) >= 3 and not is_common(token, threshold=threshold)


def distinctive(tokens: Iterable[str], *, threshold: float) -> tuple[str, ...]:
    """The distinctive tokens among `tokens`, in their order."""
    return tuple(t for t in tokens if is_distinctive(t, threshold=threshold))
