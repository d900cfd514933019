"""Sound-alike brand names: a one-word name spelled to sound like a registered one ("Naike").

Names are keyed by Metaphone (jellyfish); a sound-alike must also be spelled nearly
alike, since Metaphone alone joins many unrelated words ("nook" and "Nike" are both NK).
"""

from __future__ import annotations

from jellyfish import metaphone

from matchers.brands.lookalike import lookalike_score

SPELLING_FLOOR = 0.7  # the look-alike spelling score a sound-alike needs besides its sound
SCORE = 0.85  # a sound-alike's look-alike score


class SoundIndex:
    """Registered one-word compact names by their Metaphone key."""

    def __init__(self) -> None:
        self._names: dict[str, set[str]] = {}

    def add(self, name: str) -> None:
        """Index a one-word compact name (anything else is ignored)."""
        if name.isalpha():
            self._names.setdefault(metaphone(name), set()).add(name)

    def remove(self, name: str) -> None:
        """Forget a name (no error if absent)."""
        if name.isalpha():
            self._names.get(metaphone(name), set()).discard(name)

    def alikes(self, word: str, *, seen: set[str]) -> list[tuple[str, float, str]]:
        """Names the one-word `word` sounds like and nearly spells, beyond those `seen`:
        (name, score, why), in name order."""
        if not word.isalpha() or len(word) < 4:
            return []
        found = []
        for name in sorted(self._names.get(metaphone(word), set()) - seen - {word}):
            spelled, _ = lookalike_score(name, word, homoglyphs=False, explain=False)
            if spelled >= SPELLING_FLOOR:
                found.append((name, SCORE, "sounds the same"))
        return found
