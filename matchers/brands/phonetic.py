"""Sound-alike and shape-alike brand names: one word made to pass for a registered one.

Two kinds of knock-off that an edit distance scores too low:

- sound-alikes ("Naike" for Nike): keyed by Metaphone (jellyfish); a sound-alike must
  also be spelled nearly alike, since Metaphone alone joins many unrelated words
  ("nook" and "Nike" are both NK);
- shape-alikes ("Buta" for Puma): the word keeps the name's length and its vowels in
  their places, its first letter is a look-alike of the name's ("p"/"b"), and at most one
  other letter is changed. At a glance (the rhythm of the vowels, the first letter's
  shape) it reads as the brand. Many ordinary words have such a shape too ("Tuna", "Puta",
  "Mike"), so a word that is one of its own in a brand language is never a shape-alike.
"""

from __future__ import annotations

from jellyfish import metaphone

from matchers.brands.lookalike import SIMILAR, VOWELS, describe, edits, lookalike_score
from matchers.text.commonness import BRAND_LANGUAGES, is_common

SPELLING_FLOOR = 0.7  # the look-alike spelling score a sound-alike needs besides its sound
SCORE = 0.85  # a sound-alike's look-alike score
SHAPE_SCORE = 0.8  # a shape-alike's: two letters changed, weaker than a sound-alike
SHAPE_WORD_ZIPF = 3.0  # a word this frequent in a brand language is a word, not a knock-off


def shape_key(word: str) -> str:
    """The name's shape: its length and its vowels in their places ("puma" -> ".u.a")."""
    return "".join(c if c in VOWELS else "." for c in word)


def is_shape_alike(name: str, word: str) -> bool:
    """Whether `word` keeps the shape of `name` (same `shape_key`), with its first letter a
    look-alike of the name's and at most one other letter changed."""
    if len(word) != len(name) or shape_key(word) != shape_key(name) or word[0] == name[0]:
        return False
    if frozenset((name[0], word[0])) not in SIMILAR:
        return False
    return sum(a != b for a, b in zip(name[1:], word[1:], strict=True)) <= 1


class SoundIndex:
    """Registered one-word compact names by their Metaphone key and by their shape."""

    def __init__(self) -> None:
        self._names: dict[str, set[str]] = {}
        self._shapes: dict[str, set[str]] = {}

    def add(self, name: str) -> None:
        """Index a one-word compact name (anything else is ignored)."""
        if name.isalpha():
            self._names.setdefault(metaphone(name), set()).add(name)
            self._shapes.setdefault(shape_key(name), set()).add(name)

    def remove(self, name: str) -> None:
        """Forget a name (no error if absent)."""
        if name.isalpha():
            self._names.get(metaphone(name), set()).discard(name)
            self._shapes.get(shape_key(name), set()).discard(name)

    def alikes(self, word: str, *, seen: set[str]) -> list[tuple[str, float, str]]:
        """Names the one-word `word` sounds like and nearly spells, then names whose shape it
        keeps, beyond those `seen`: (name, score, why), in name order within each kind."""
        if not word.isalpha() or len(word) < 4:
            return []
        found = []
        for name in sorted(self._names.get(metaphone(word), set()) - seen - {word}):
            spelled, _ = lookalike_score(name, word, homoglyphs=False, explain=False)
            if spelled >= SPELLING_FLOOR:
                found.append((name, SCORE, "sounds the same"))
        said = seen | {n for n, _, _ in found} | {word}
        shaped = [n for n in sorted(self._shapes.get(shape_key(word), set()) - said)]
        shaped = [n for n in shaped if is_shape_alike(n, word)]
        if shaped and not is_common(word, threshold=SHAPE_WORD_ZIPF, languages=BRAND_LANGUAGES):
            for name in shaped:
                why = f"same length and vowels, {describe(edits(name, word))}"
                found.append((name, SHAPE_SCORE, why))
        return found
