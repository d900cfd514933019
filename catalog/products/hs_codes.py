"""The Harmonized System 2022: which chapters, headings and subheadings exist.

The table ships in `data/hs2022.csv` (public domain, see its README). A product's HS
code must exist there; a declaration's is only checked by the engine, never refused.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_SEPARATORS = re.compile(r"[\s.\-]")


@cache
def hs2022_codes() -> frozenset[str]:
    """Every HS 2022 code: 2-digit chapters, 4-digit headings, 6-digit subheadings."""
    text = (resources.files("catalog.products.data") / "hs2022.csv").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines()[1:] if line.strip())


def known_hs_code(code: str) -> bool:
    """True when `code` is an HS 2022 chapter, heading or subheading, or extends one.

    National codes of 8 or 10 digits (EU CN, US HTS) are known when their first six
    digits are a subheading; dots, dashes and spaces are ignored.
    """
    digits = _SEPARATORS.sub("", code)
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (2, 4, 6, 8, 10):
        return False
    return digits[:6] in hs2022_codes()
