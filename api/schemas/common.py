"""Field types shared by the request bodies: ids, names, e-mail addresses."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

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
