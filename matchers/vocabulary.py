"""Counterfeit vocabulary: words sellers use for fakes ("replica", "AAA", "1:1", "super clone").

Text is normalised first (`matchers.text.normalize`: homoglyphs, digits for letters,
accents), then letters spelled out one by one ("r e p l i c a") are joined, so the
usual evasions still match. Each term has a strength in (0, 1]; ambiguous words
("copy", "clone", "fake", "AAA") count only outside their innocent contexts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matchers.text.normalize import raw_tokens

# Phrases in normalised form -> strength. "oem" alone is not counted: OEM parts are legitimate.
TERMS: dict[str, float] = {
    "replica": 1.0,
    "replicas": 1.0,
    "reps": 0.6,
    "1 1": 1.0,
    "1 to 1": 0.8,
    "aaa": 1.0,
    "grade aaa": 1.0,
    "mirror quality": 1.0,
    "mirror grade": 1.0,
    "mirror copy": 1.0,
    "super clone": 1.0,
    "superclone": 1.0,
    "clone": 0.6,
    "high copy": 1.0,
    "master copy": 1.0,
    "copy": 0.6,
    "fake": 1.0,
    "counterfeit": 1.0,
    "knockoff": 1.0,
    "knock off": 1.0,
    "imitation": 1.0,
    "inspired by": 0.8,
    "in the style of": 0.6,
    "dupe": 0.8,
    "not original": 1.0,
    "non original": 1.0,
    "unauthorized copy": 1.0,
    "oem quality": 0.8,
    "oem grade": 0.8,
    "oem replica": 1.0,
    "same as original": 0.8,
    "top quality copy": 1.0,
    "replique": 1.0,
    "contrefacon": 1.0,
    "imitacion": 1.0,
    "replika": 1.0,
    "falsificacion": 1.0,
    "nachahmung": 1.0,
}
# Innocent company for an ambiguous term: "AAA batteries", "copy paper", "fake fur".
_INNOCENT: dict[str, frozenset[str]] = {
    "aaa": frozenset(
        [
            "battery",
            "batteries",
            "cell",
            "cells",
            "alkaline",
            "rechargeable",
            "nimh",
            "lithium",
            "size",
        ]
    ),
    "copy": frozenset(
        ["paper", "photocopy", "machine", "hard", "copier", "book", "books", "holder", "stand"]
    ),
    "clone": frozenset(["drive", "disk", "hdd", "ssd", "software", "stamp", "tool"]),
    "fake": frozenset(
        [
            "fur",
            "leather",
            "plant",
            "plants",
            "flower",
            "flowers",
            "grass",
            "tan",
            "lashes",
            "nails",
        ]
    ),
    "reps": frozenset(["sales", "sets", "set", "gym"]),
}
_TERM_WORDS = frozenset(w for term in TERMS for w in term.split() if w.isalpha())
_SPELLED = re.compile(r"\b(?:[a-z] ){2,}[a-z]\b")
_AAAS = re.compile(r"\ba{3,}\b")


@dataclass(frozen=True, slots=True)
class VocabularyHit:
    """One counterfeit term found in a text, with its strength and the words as declared."""

    term: str
    strength: float
    said: str = ""


def _prepare(text: str) -> str:
    # digit-for-letter words are folded against the vocabulary itself: "rep1ica" -> "replica"
    norm = " ".join(raw_tokens(text, vocabulary=_TERM_WORDS))
    norm = _SPELLED.sub(lambda m: m.group().replace(" ", ""), norm)
    return _AAAS.sub("aaa", norm)


def find_terms(text: str) -> list[VocabularyHit]:
    """Counterfeit terms in `text`, strongest first (ties by term), each once."""
    words = f" {_prepare(text)} "
    tokens = set(words.split())
    hits: list[VocabularyHit] = []
    for term, strength in TERMS.items():
        if f" {term} " not in words:
            continue
        if term in _INNOCENT and tokens & _INNOCENT[term]:
            continue
        hits.append(VocabularyHit(term, strength))
    # a longer phrase already says what its words say: "super clone" absorbs "clone"
    phrases = [h.term for h in hits]
    hits = [
        VocabularyHit(h.term, h.strength, _as_declared(h.term, text))
        for h in hits
        if not any(h.term != p and f" {h.term} " in f" {p} " for p in phrases)
    ]
    return sorted(hits, key=lambda h: (-h.strength, h.term))


def _as_declared(term: str, text: str) -> str:
    """The words of `term` as the text wrote them ("1:1" for "1 1"), else the term itself
    (an evasion such as "r e p l i c a" has no single span to quote)."""
    words = term.split()
    pattern = r"(?<![^\W_])" + r"[\W_]*".join(re.escape(w) for w in words) + r"(?![^\W_])"
    found = re.search(pattern, text, re.IGNORECASE)
    return found.group() if found else term


def without_terms(text: str) -> str:
    """`text` normalised, counterfeit terms removed: what is left says which product it is."""
    words = f" {_prepare(text)} "
    for hit in find_terms(text):
        words = words.replace(f" {hit.term} ", " ")
    return " ".join(words.split())
