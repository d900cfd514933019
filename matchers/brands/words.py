"""Words of a declared text as the brand index reads them: tokens, runs of words, disguises."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from matchers.text.homoglyphs import confusables_table
from matchers.text.normalize import raw_tokens

__all__ = ["MAX_WORDS", "Span", "Word", "chunk_words", "homoglyph_note", "span", "windows"]

MAX_WORDS = 4

Word = tuple[str, str, tuple[str, ...], bool]  # token, original chunk, homoglyphs, leet


@dataclass(frozen=True)
class Span:
    compact: str
    original: str
    homoglyphs: tuple[str, ...]
    leet: bool
    words: int


def homoglyph_note(chars: tuple[str, ...]) -> str:
    names = [f"'{c}' ({unicodedata.name(c, f'U+{ord(c):04X}').title()})" for c in chars]
    return "written with look-alike characters " + ", ".join(names)


def _disguise(ch: str, table: dict[int, str]) -> bool:
    """A character from another script that passes for Latin, or an invisible one."""
    if unicodedata.category(ch) == "Cf":
        return True
    if ord(ch) not in table or unicodedata.normalize("NFKC", ch).isascii():
        return False  # fullwidth and other compatibility forms are display variants
    return not unicodedata.name(ch, "").startswith("LATIN")


def chunk_words(chunk: str, vocab: AbstractSet[str]) -> list[Word]:
    """Tokens of one whitespace-separated chunk, with what their spelling hides."""
    table = confusables_table()
    # Only other scripts count as disguise: an accented Latin letter is ordinary spelling.
    glyphs = tuple(dict.fromkeys(c for c in chunk if _disguise(c, table)))
    plain = raw_tokens(chunk, vocabulary=frozenset())
    return [(tok, chunk, glyphs, tok not in plain) for tok in raw_tokens(chunk, vocabulary=vocab)]


def windows(words: list[Word], *, max_words: int, max_len: int) -> Iterator[tuple[int, int, str]]:
    """Runs words[i:j] of 1..MAX_WORDS words (at most `max_words`, `max_len` letters), joined."""
    for i in range(len(words)):
        compact = ""
        for j in range(i + 1, min(i + MAX_WORDS, max_words + i, len(words)) + 1):
            compact += words[j - 1][0]
            if len(compact) > max_len:
                break
            yield i, j, compact


def span(part: list[Word], compact: str) -> Span:
    """A run of words with what its spelling hides."""
    return Span(
        compact=compact,
        original=" ".join(dict.fromkeys(w[1] for w in part)),
        homoglyphs=tuple(dict.fromkeys(g for w in part for g in w[2])),
        leet=any(w[3] for w in part),
        words=len(part),
    )
