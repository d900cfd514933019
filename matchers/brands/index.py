"""Registered brands and their aliases, found in free text exactly or as look-alikes.

Every registered name is kept in its normalised compact form ("louis vuitton" ->
"louisvuitton") and in a deletion neighbourhood (symmetric-delete index), so a short span costs
a few dictionary probes whatever the number of brands; a long span finds the same shortlist by
one LCS pass in C over the names of a possible length (fewer operations than its many deletion
variants). Only the shortlist is scored with the weighted edit distance of `lookalike`, and
results per span are cached until a name appears or disappears. A span that is itself a known
real brand (shipped list) or another registered name is never called a look-alike.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, LCSseq

from matchers.brands.lookalike import CHEAPEST_EDIT, deletes, describe, lookalike_score, max_edits
from matchers.brands.phonetic import SoundIndex
from matchers.brands.words import (
    Span,
    Word,
    chunk_words,
    homoglyph_note,
    span,
    windows,
)
from matchers.text.commonness import is_common
from matchers.text.normalize import raw_tokens

__all__ = ["BrandHit", "BrandIndex", "known_brands"]

FUZZY_WORDS = 2  # look-alikes are searched in runs of up to two words ("Louis Vuiton")
QUERY_DELETES = 2
EXACT_HOMOGLYPH_SCORE = 0.97
SHORT = 8  # shorter spans are shortlisted by deletion variants, longer ones by LCS (faster)
CACHE_SIZE = 50_000  # cached words and look-alike searches; cleared whole when full
PLURAL_WORD_ZIPF = 3.0  # a singular this common is a word of its own ("Mike's"), not a knock-off


@dataclass(frozen=True)
class BrandHit:
    """A registered brand found in a text: how (exact, alias, look-alike), how sure, and why."""

    brand: str
    rights_holder_ids: tuple[str, ...]
    kind: Literal["exact", "alias", "lookalike"]
    score: float
    matched_text: str
    evidence: str


def _compact(text: str) -> str:
    return "".join(raw_tokens(text, vocabulary=frozenset()))


@cache
def known_brands() -> frozenset[str]:
    """Compact normalised names of real brands (interbrand, walmart-amazon, simple-icons lists)."""
    path = resources.files("matchers.brands") / "data" / "known_brands.csv"
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    return frozenset(c for row in rows if len(c := _compact(row["brand"])) > 2)


@dataclass
class _Name:
    brand: str
    kind: Literal["exact", "alias"]
    holders: Counter[str]


class BrandIndex:
    """Registered brand names and aliases with reference counts per rights holder."""

    def __init__(self) -> None:
        self._names: dict[str, dict[str, _Name]] = {}  # compact name -> brand -> entry
        self._neighbours: dict[str, set[str]] = {}  # deletion variant -> compact names
        self._single_words: set[str] = set()  # names that are one word, for "N1ke" -> "nike"
        self._words: Counter[int] = Counter()  # word count of registered names -> how many
        self._lengths: Counter[int] = Counter()  # compact length of registered names -> how many
        self._by_digits: dict[int, set[str]] = {}  # digits in a compact name -> those names
        self._by_length: dict[int, set[str]] = {}  # length of a compact name -> those names
        self._sounds = SoundIndex()  # one-word names by sound ("Naike" for Nike)
        self._windows: dict[int, tuple[list[str], np.ndarray]] = {}  # see `_window`
        self.comparisons = 0  # look-alike scorings done so far (shows the shortlist stays short)
        # Declared texts repeat words: tokens and look-alike searches depend only on the set of
        # registered names, so caches are renewed when a name appears or disappears (exact).
        self._word_cache: dict[str, list[Word]] = {}
        self._fuzzy_cache: dict[tuple[str, bool, float], list[tuple[str, float, str]]] = {}

    def __len__(self) -> int:
        return len({b for entries in self._names.values() for b in entries})

    def add(self, brand: str, *, rights_holder_id: str, aliases: tuple[str, ...] = ()) -> None:
        """Register one product's brand (and aliases) for a rights holder; counted per call."""
        for name, kind in ((brand, "exact"), *((a, "alias") for a in aliases)):
            key = _compact(name)
            if not key:
                continue
            entries = self._names.setdefault(key, {})
            if not entries:
                self._changed()
                for variant in deletes(key, max_edits(len(key))):
                    self._neighbours.setdefault(variant, set()).add(key)
                self._words[len(name.split())] += 1
                if key.isalpha():
                    self._single_words.add(key)
                    self._sounds.add(key)
                self._lengths[len(key)] += 1
                self._by_digits.setdefault(_digits(key), set()).add(key)
                self._by_length.setdefault(len(key), set()).add(key)
            entry = entries.setdefault(
                brand, _Name(brand, "exact" if kind == "exact" else "alias", Counter())
            )
            if kind == "exact":
                entry.kind = "exact"
            entry.holders[rights_holder_id] += 1

    def remove(self, brand: str, *, rights_holder_id: str, aliases: tuple[str, ...] = ()) -> None:
        """Undo one `add` call with the same arguments."""
        for name in (brand, *aliases):
            key = _compact(name)
            entry = self._names.get(key, {}).get(brand)
            if entry is None or not entry.holders[rights_holder_id]:
                continue
            entry.holders[rights_holder_id] -= 1
            if not entry.holders[rights_holder_id]:
                del entry.holders[rights_holder_id]
            if not entry.holders:
                del self._names[key][brand]
            if not self._names[key]:
                del self._names[key]
                self._changed()
                self._words[len(name.split())] -= 1
                self._single_words.discard(key)
                self._sounds.remove(key)
                self._lengths[len(key)] -= 1
                self._by_digits[_digits(key)].discard(key)
                self._by_length[len(key)].discard(key)
                for variant in deletes(key, max_edits(len(key))):
                    self._neighbours[variant].discard(key)
                    if not self._neighbours[variant]:
                        del self._neighbours[variant]

    def _changed(self) -> None:
        # New objects rather than clear(): a lookup still running stores into the old ones.
        self._word_cache, self._fuzzy_cache, self._windows = {}, {}, {}

    def lookup(self, text: str, *, min_score: float = 0.8, limit: int = 5) -> list[BrandHit]:
        """Registered brands, aliases and look-alikes of them mentioned in `text`, best first."""
        max_words = max((n for n, c in self._words.items() if c > 0), default=0) + 1
        max_len = max((n for n, c in self._lengths.items() if c > 0), default=0) + 3
        best: dict[str, BrandHit] = {}
        words = self._text_words(text)
        for i, j, compact in windows(words, max_words=max_words, max_len=max_len):
            # Most windows name nothing: rule them out before building their description.
            glyphs = any(w[2] for w in words[i:j])
            if not self._may_hit(compact, glyphs, j - i, min_score):
                continue
            for hit in self._hits(span(words[i:j], compact), min_score):
                old = best.get(hit.brand)
                if hit.score >= min_score and (old is None or hit.score > old.score):
                    best[hit.brand] = hit
        return sorted(best.values(), key=lambda h: (-h.score, h.brand))[:limit]

    def _may_hit(self, compact: str, glyphs: bool, words: int, min_score: float) -> bool:
        """Whether `_hits` can find anything in this window (cheap, and exact)."""
        if compact in self._names:
            return True
        if compact.endswith("s") and len(compact) > 4 and compact[:-1] in self._names:
            return True
        if compact in known_brands() or len(compact) < 4 or words > FUZZY_WORDS:
            return False
        return any(
            self._lookalikes(form, glyphs, min_score)
            or (words == 1 and self._sounds.alikes(form, seen=set()))
            for form in _forms(compact)
        )

    def _hits(self, span: Span, min_score: float) -> list[BrandHit]:
        exact = self._names.get(span.compact)
        if exact is None and span.compact.endswith("s") and len(span.compact) > 4:
            exact = self._names.get(span.compact[:-1])  # plural or possessive: "Nikes", "Levi's"
        if exact is not None:
            return [self._exact_hit(entry, span) for entry in exact.values()]
        if span.compact in known_brands() or len(span.compact) < 4 or span.words > FUZZY_WORDS:
            return []  # another real brand, too short to judge, or too long a run of words
        hits = []
        found: list[tuple[str, float, str]] = []
        for form in _forms(span.compact):  # a plural of a look-alike ("Nkies") imitates too
            found = self._lookalikes(form, bool(span.homoglyphs), min_score)
            if span.words == 1:
                found = [*found, *self._sounds.alikes(form, seen={n for n, _, _ in found})]
            if found:
                break
        for name, score, why in found:
            if span.homoglyphs:
                note = homoglyph_note(span.homoglyphs)
                why = ", ".join([note, why]) if why else note
            for entry in self._names[name].values():
                hits.append(self._hit(entry, span, "lookalike", score, why))
        return hits

    def _lookalikes(
        self, compact: str, glyphs: bool, min_score: float
    ) -> list[tuple[str, float, str]]:
        """Registered names `compact` imitates: (name, score, edits described), name order."""
        key = (compact, glyphs, min_score)
        cache = self._fuzzy_cache
        cached = cache.get(key)
        if cached is not None:
            return cached
        found = []
        for name in sorted(self._shortlist(compact)):
            # Every knock-off edit costs at least CHEAPEST_EDIT: more plain edits than the score
            # allows rule the name out before the (slower) weighted alignment.
            budget = (1.0 - min_score) * max(len(name), 4) / CHEAPEST_EDIT
            if OSA.distance(name, compact) > budget * (2 if glyphs else 1):
                continue
            self.comparisons += 1
            score, _ = lookalike_score(name, compact, homoglyphs=glyphs, explain=False)
            if score < min_score:
                continue
            score, edit_list = lookalike_score(name, compact, homoglyphs=glyphs)
            found.append((name, score, describe(edit_list)))
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[key] = found
        return found

    def _shortlist(self, compact: str) -> set[str]:
        """Names sharing a deletion variant with `compact` (equivalently: a common subsequence
        as long as both variants; for long spans LCS in C over names of a possible length)."""
        floor = len(compact) - min(QUERY_DELETES, len(compact) - 1)
        few = _digits(compact) - QUERY_DELETES
        if few > 0:
            # A model number: a shared variant keeps all but QUERY_DELETES of its digits, and
            # hardly any name has that many.
            return {
                n
                for d, names in self._by_digits.items()
                if d >= few
                for n in names
                if LCSseq.similarity(compact, n) >= max(floor, _name_floor(len(n)))
            }
        if len(compact) <= SHORT:
            return {n for v in deletes(compact, QUERY_DELETES) for n in self._neighbours.get(v, ())}
        names, floors = self._window(len(compact))
        if not names:
            return set()
        common = process.cdist([compact], names, scorer=LCSseq.similarity, dtype=np.int32)[0]
        return {names[k] for k in np.flatnonzero(common >= np.maximum(floors, floor))}

    def _window(self, length: int) -> tuple[list[str], np.ndarray]:
        """Registered names a span this long may share a deletion variant with, and the
        shortest variant of each (cached until a name appears or disappears)."""
        windows = self._windows
        got = windows.get(length)
        if got is None:
            names = sorted(
                n
                for size in range(length - QUERY_DELETES, length + QUERY_DELETES + 1)
                for n in self._by_length.get(size, ())
            )
            floors = np.array([_name_floor(len(n)) for n in names], dtype=np.int32)
            got = windows[length] = (names, floors)
        return got

    def _text_words(self, text: str) -> list[Word]:
        """The words of `text` (cached per whitespace-separated chunk)."""
        words: list[Word] = []
        cache = self._word_cache
        for chunk in text.split():
            got = cache.get(chunk)
            if got is None:
                if len(cache) >= CACHE_SIZE:
                    cache.clear()
                got = cache[chunk] = chunk_words(chunk, self._single_words)
            words.extend(got)
        return words

    def _exact_hit(self, entry: _Name, span: Span) -> BrandHit:
        if span.homoglyphs or span.leet:
            notes = [homoglyph_note(span.homoglyphs)] if span.homoglyphs else []
            if span.leet:
                notes.append("digits or symbols standing for letters")
            return self._hit(entry, span, "lookalike", EXACT_HOMOGLYPH_SCORE, ", ".join(notes))
        return self._hit(entry, span, entry.kind, 1.0, "")

    @staticmethod
    def _hit(entry: _Name, span: Span, kind: Literal["exact", "alias", "lookalike"],
             score: float, why: str) -> BrandHit:  # fmt: skip
        holders = tuple(sorted(entry.holders))
        if kind == "exact":
            evidence = f"'{span.original}' is the registered brand '{entry.brand}'"
        elif kind == "alias":
            evidence = f"'{span.original}' is a registered alias of the brand '{entry.brand}'"
        else:
            evidence = f"'{span.original}' looks like the registered brand '{entry.brand}' ({why})"
        return BrandHit(entry.brand, holders, kind, round(score, 4), span.original, evidence)


def _forms(compact: str) -> tuple[str, ...]:
    """A compact span, then its singular when it may be a plural or possessive ("nkies") and
    is no word of its own ("mikes" is Mike's, not a plural knock-off of Nike)."""
    singular = compact[:-1]
    if (
        compact.endswith("s")
        and len(compact) > 4
        and singular.isalpha()
        and not is_common(singular, threshold=PLURAL_WORD_ZIPF)
    ):
        return (compact, singular)
    return (compact,)


def _name_floor(length: int) -> int:
    """The shortest deletion variant of a registered name this long."""
    return length - min(max_edits(length), length - 1)


def _digits(compact: str) -> int:
    return sum(ch.isdigit() for ch in compact)
