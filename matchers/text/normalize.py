"""Text normalisation: Unicode, case, homoglyphs, punctuation; model numbers and sizes kept whole.

`normalize("Sony Turntable - PS-LX350H, 100 ml")` gives "sony turntable ps-lx350h 100ml":
NFKC, casefold, Cyrillic/Greek look-alikes folded to Latin (TR39 confusables), accents and
invisible characters dropped, digits standing for letters folded where the token then reads as
a known brand ("N1ke" -> "nike"), punctuation turned into spaces except inside model numbers.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import lru_cache

from matchers.text.homoglyphs import fold_chars, fold_leet, known_words

__all__ = ["compact", "is_size", "model_numbers", "models_in", "normalize", "raw_tokens", "tokens"]

# A word: letters/digits, possibly joined by one connector each time ("dv3853-001", "ad!das").
_WORD = re.compile(r"[^\W_]+(?:(?:['’`][-./&@$!+]?|[-./&@$!+])[^\W_]+)*[@$!]?")
_CONNECTORS = re.compile(r"[-./&@$!+]")
_SEPARATORS = str.maketrans("", "", "-./")
_DIGIT = re.compile(r"\d")
_SYMBOLS = re.compile(r"[&@$!+]")
_APOSTROPHES = re.compile(r"['’`]")
# Short letter groups joined by "&" read as one name: "at&t", "m&ms", "h&m".
_INITIALISM = re.compile(r"^[a-z]{1,3}&[a-z]{1,3}$")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
UNITS = frozenset(
    ("ml", "l", "cl", "dl", "g", "kg", "mg", "oz", "lb", "lbs", "fl", "floz", "cm", "mm", "m",
     "km", "in", "inch", "ft", "gb", "tb", "mb", "kb", "mah", "w", "kw", "v", "hz", "khz", "mhz",
     "ghz", "mp", "pc", "pcs", "pk", "pack", "ct", "x", "p", "k")
)  # fmt: skip
# A count of something written as one hyphenated word ("2-meter", "5-tab", "50-disc", "3-in-1"):
# a number joined to plain words, a quantity and not a part number.
_COUNTED = re.compile(r"^\d+(?:[.,]\d+)?(?:-[a-z]{2,})+(?:-\d+)?$")
_SIZE = re.compile(r"^\d+(?:[.,]\d+)?(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")$")


def _split_word(word: str, vocabulary: AbstractSet[str]) -> list[str]:
    """Tokens of one word: kept whole if it carries a digit, else split at its connectors."""
    if word.isalpha():
        return [word]
    word = _APOSTROPHES.sub("", word)
    if word.isalpha():
        return [word]
    # A size ("4pc", "100ml") is a number with a unit, never digits standing for letters.
    folded = None if _SIZE.match(word) else fold_leet(word, vocabulary)
    if folded is not None:
        return [folded]
    if _DIGIT.search(word):
        # Model numbers and sizes keep their inner hyphens, dots and slashes: "dv3853-001".
        parts = [p for p in _SYMBOLS.split(word) if p]
    elif _INITIALISM.match(word):
        return [word]
    else:
        parts = [p for p in _CONNECTORS.split(word) if p]
    if parts == [word]:
        return parts
    # Each part is a word of its own once the symbols between them are gone ("0@n1ke").
    return [tok for part in parts for tok in _split_word(part, vocabulary)]


def raw_tokens(text: str, *, vocabulary: AbstractSet[str] | None = None) -> list[str]:
    """Tokens after character folding, with digit-for-letter words folded against `vocabulary`."""
    vocab = known_words() if vocabulary is None else vocabulary
    out: list[str] = []
    for match in _WORD.finditer(fold_chars(text)):
        out.extend(_split_word(match.group(), vocab))
    return out


def tokens(text: str) -> list[str]:
    """Normalised tokens of `text`; a number followed by a unit becomes one size token ("100ml")."""
    return list(_tokens(text))


# A declared text is read by the text index, the features and the vocabulary in one query.
@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    toks = raw_tokens(text)
    joined: list[str] = []
    for tok in toks:
        if joined and tok in UNITS and _NUMBER.match(joined[-1]):
            joined[-1] += tok
        else:
            joined.append(tok)
    return tuple(joined)


def normalize(text: str) -> str:
    """The normalised form of `text`: its tokens joined by single spaces."""
    return " ".join(_tokens(text))


def compact(token: str) -> str:
    """A model number without its separators, for comparison ("ps-lx350h" -> "pslx350h")."""
    return token.translate(_SEPARATORS)


def is_size(token: str) -> bool:
    """Whether a normalised token is a quantity with a unit ("100ml", "32gb", "1080p")."""
    return bool(_SIZE.match(token.replace(",", ".")))


def _is_model(token: str) -> bool:
    flat = compact(token)
    if _COUNTED.match(token):
        return False
    if not flat.isalnum() or not flat.isascii():
        return False
    digits = sum(ch.isdigit() for ch in flat)
    if digits == 0:
        return False
    if digits == len(flat):
        if "/" in token:
            return False  # a fraction ("33-1/3"), not a part number
        # Bare numbers are model numbers only when long ("1163641") or hyphenated ("001-123").
        return len(flat) >= 5 or (len(flat) >= 4 and flat != token)
    return len(flat) >= 4 or is_size(token)


def model_numbers(text: str) -> list[str]:
    """Model numbers and sizes in `text`, normalised and without separators, in order, unique."""
    return models_in(tokens(text))


def models_in(toks: list[str]) -> list[str]:
    """Model numbers and sizes among normalised tokens, without separators, in order, unique."""
    seen: dict[str, None] = {}
    for tok in toks:
        if not tok.isalpha() and _is_model(tok):
            seen.setdefault(tok if is_size(tok) else compact(tok), None)
    return list(seen)
