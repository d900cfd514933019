"""Field types shared by the request bodies: ids, names, e-mail addresses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from catalog.products.validation import clean_text

ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(clean_text),
]


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(clean_text),
]


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def datetime_text(value: Any) -> Any:
    """Refuse a bare number for a date-time (pydantic would read "0.5" as 1970 plus 0.5 s)."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("a date-time is written like 2026-11-01T00:00:00Z")
    return value


DateTime = Annotated[datetime, BeforeValidator(datetime_text)]


def not_a_boolean(value: Any) -> Any:
    """Refuse true/false for a number (pydantic would read false as 0.0)."""
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true or false")
    return value
