"""Homoglyph and digit-for-letter folding tables, derived from Unicode TR39 confusables data."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Set as AbstractSet
from functools import cache
from importlib import resources
from itertools import product

import confusable_homoglyphs

# Digits and symbols that stand for letters in "N1ke", "ad1das", "g00gle", "Adid@s".
LEET: dict[str, tuple[str, ...]] = {
    "0": ("o",),
    "1": ("i", "l"),
    "3": ("e",),
    "4": ("a",),
    "5": ("s",),
    "7": ("t",),
    "8": ("b",),
    "9": ("g",),
    "@": ("a",),
    "$": ("s",),
    "!": ("i",),
}
_MAX_LEET_VARIANTS = 16


def _is_target(ch: str) -> bool:
    return len(ch) == 1 and ch.isascii() and ch.isalnum()


@cache
def confusables_table() -> dict[int, str]:
    """Map each non-ASCII character that looks like an ASCII letter or digit to that character."""
    path = resources.files(confusable_homoglyphs) / "confusables.json"
    data: dict[str, list[dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    # Each entry links two look-alike characters; keep the pairs with exactly one ASCII side.
    options: dict[str, set[str]] = {}
    for key, entries in data.items():
        for entry in entries:
            other = entry["c"].strip("\u200e\u200f")
            for src, dst in ((other, key), (key, other)):
                if len(src) == 1 and not src.isascii() and _is_target(dst):
                    options.setdefault(src, set()).add(dst)
    table: dict[int, str] = {}
    for src, dsts in options.items():
        # Prefer a letter over a digit ("ߋ" reads as "o" more often than "0"), then lower case.
        best = sorted(dsts, key=lambda c: (c.isdigit(), c.isupper(), c))[0]
        table[ord(src)] = best
    # A lowercase Cyrillic letter often has its look-alike only in its capital ("м" ~ "M").
    for code, dst in list(table.items()):
        for variant in (chr(code).lower(), chr(code).upper()):
            if len(variant) == 1 and not variant.isascii() and ord(variant) not in table:
                table[ord(variant)] = dst.lower() if variant.islower() else dst
    return table


@cache
def known_words() -> frozenset[str]:
    """Single-word real brand names, normalised, for reading digits as letters."""
    path = resources.files("matchers.brands") / "data" / "known_brands.csv"
    words: set[str] = set()
    for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines()):
        name = fold_chars(row["brand"])
        if name.isalpha() and len(name) >= 3:
            words.add(name)
    return frozenset(words)


def fold_chars(text: str) -> str:
    """NFKC, drop accents and invisible characters, fold homoglyphs to ASCII, casefold."""
    if text.isascii():
        return text.casefold()  # the common case: nothing to fold but case
    table = confusables_table()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    kept = [
        ch for ch in text if unicodedata.category(ch) not in {"Mn", "Me", "Cf"} or ch == "\u200d"
    ]
    text = "".join(ch for ch in kept if ch != "\u200d").translate(table).casefold()
    # Casefolding can produce characters the table folds again ("Σ" -> "σ"); fold once more.
    return unicodedata.normalize("NFKC", text.translate(table))


def leet_variants(token: str) -> list[str]:
    """Letter readings of a token whose digits or symbols stand for letters ("n1ke" -> "nike")."""
    letters = sum(ch.isalpha() for ch in token)
    subs = [ch for ch in token if ch in LEET]
    if letters < 2 or not subs or len(subs) > letters:
        return []
    if any(not (ch.isalpha() or ch in LEET) for ch in token):
        return []
    choices = [LEET.get(ch, (ch,)) for ch in token]
    variants: list[str] = []
    for combo in product(*choices):
        variants.append("".join(combo))
        if len(variants) >= _MAX_LEET_VARIANTS:
            break
    return variants


def fold_leet(token: str, vocabulary: AbstractSet[str]) -> str | None:
    """The word of `vocabulary` a digit-for-letter token stands for, or None."""
    if token in vocabulary:
        return None
    for variant in leet_variants(token):
        if variant in vocabulary:
            return variant
    return None
