"""How common a word is in the language: ordinary words identify no product and no brand.

Frequencies are wordfreq's Zipf scale (log10 of occurrences per billion words: "the" is
about 7.7, "shoe" 4.2, "Nike" 3.9, "Ultraboost" 1.6). A word at or above a threshold
is common; a registered brand that is a common word ("Apple", "Gap", "Bravo" in Italian)
needs context to count.

Every question asked here is "is this word at least this common?" with a threshold of
`EXACT_FROM` (3.0) or more, so only the words at or above `FLOOR_ZIPF` (2.9) are needed:
about 200k words in the five brand languages instead of wordfreq's 1.9M. They are shipped in
`data/common_words.msgpack.gz`, cut from wordfreq's own lists by
`python -m matchers.text.commonness --write` (wordfreq's version is recorded in the file and
pinned in pyproject.toml). A worker loads them in ~0.1 s of CPU where building wordfreq's
dictionaries took ~0.7 s (0.35 s of a 100k restart's 3.3 s). Look-ups follow wordfreq's
`zipf_frequency` step by step (its tokenizer, digit smashing, multi-token combination and
rounding), so every answer at or above the floor is the value wordfreq gives; a word below it
reads 0.0, which no threshold from `EXACT_FROM` up can tell apart.
"""

from __future__ import annotations

import gzip
import math
import sys
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import msgpack
from wordfreq import cB_to_freq, freq_to_zipf, get_frequency_list
from wordfreq.numbers import digit_freq, smash_numbers
from wordfreq.tokens import lossy_tokenize

from matchers.text.normalize import is_size

LANGUAGES = ("en",)
BRAND_LANGUAGES = ("en", "de", "fr", "es", "it")  # a brand may be a common word elsewhere

FLOOR_ZIPF = 2.9  # the least frequent words kept
EXACT_FROM = 3.0  # the lowest threshold a question may use (rounding keeps 2.9x apart)
_FLOOR_BUCKET = round((9 - FLOOR_ZIPF) * 100)  # wordfreq's buckets are -centibels: 610
TABLE = Path(__file__).parent / "data" / "common_words.msgpack.gz"


def _table_buckets(lang: str) -> list[list[str]]:
    """`lang`'s frequency buckets down to the floor (index = -centibels, as wordfreq's)."""
    shipped = _shipped()
    if lang in shipped:
        return shipped[lang]
    return get_frequency_list(lang, "best")[: _FLOOR_BUCKET + 1]  # not shipped: wordfreq's own


@lru_cache(maxsize=1)
def _shipped() -> dict[str, list[list[str]]]:
    """The shipped table's languages, or none when it was cut from another wordfreq."""
    with gzip.open(TABLE, "rb") as f:
        data = msgpack.unpackb(f.read(), raw=False)
    if data["wordfreq"] != version("wordfreq") or data["floor_bucket"] != _FLOOR_BUCKET:
        return {}
    langs: dict[str, list[list[str]]] = data["languages"]
    return langs


@cache
def _frequencies(lang: str) -> dict[str, float]:
    """Word -> frequency for `lang`'s words at or above the floor, valued as wordfreq does."""
    freqs: dict[str, float] = {}
    for index, bucket in enumerate(_table_buckets(lang)):
        freq = cB_to_freq(-index)
        for word in bucket:
            freqs[word] = freq
    return freqs


def _zipf_frequency(word: str, lang: str) -> float:
    """wordfreq's `zipf_frequency(word, lang)` for answers at or above the floor, else 0.0."""
    tokens = lossy_tokenize(word, lang)
    if not tokens:
        return 0.0
    freqs = _frequencies(lang)
    one_over_result = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        if smashed not in freqs:
            return 0.0  # wordfreq's answer is below the floor (or it does not know the word)
        freq = freqs[smashed]
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    freq = max(1.0 / one_over_result, 1e-9)  # zipf_frequency's minimum: Zipf 0
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)  # wordfreq's 3 significant digits
    return round(freq_to_zipf(freq), 2)


@lru_cache(maxsize=65_536)
def zipf(word: str, languages: tuple[str, ...] = LANGUAGES) -> float:
    """The word's highest Zipf frequency in `languages`, a plural or possessive read as its
    stem too ("mens" as "men's", "shoes" as "shoe"). Exact from `FLOOR_ZIPF` up; 0.0 below."""
    forms = [word]
    if len(word) > 3 and word.endswith("s"):
        forms += [word[:-1], f"{word[:-1]}'s"]
    return max(_zipf_frequency(f, lang) for f in forms for lang in languages)


def warm(languages: Iterable[str] = BRAND_LANGUAGES) -> None:
    """Load the word lists now, before a worker says it is ready: they load lazily, and the
    first screening of a fresh worker would otherwise pay for them."""
    for lang in languages:
        _frequencies(lang)


def is_common(word: str, *, threshold: float, languages: tuple[str, ...] = LANGUAGES) -> bool:
    """Whether `word` (normalised) is at least as frequent as `threshold` in `languages`."""
    if threshold < EXACT_FROM:
        raise ValueError(f"thresholds below Zipf {EXACT_FROM} are not kept (asked {threshold})")
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


def build_table(languages: Iterable[str] = BRAND_LANGUAGES) -> bytes:
    """The shipped table, cut from the installed wordfreq: deterministic bytes."""
    data = {
        "wordfreq": version("wordfreq"),
        "floor_bucket": _FLOOR_BUCKET,
        "languages": {
            lang: get_frequency_list(lang, "best")[: _FLOOR_BUCKET + 1] for lang in languages
        },
    }
    return gzip.compress(msgpack.packb(data, use_bin_type=True), compresslevel=9, mtime=0)


if __name__ == "__main__":  # python -m matchers.text.commonness --write
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m matchers.text.commonness --write")
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_bytes(build_table())
    print(f"wrote {TABLE} ({TABLE.stat().st_size:,} bytes)")
