"""Validated product input, shared by the HTTP API and the bulk import, and its stored keys.

GTINs (8/12/13/14 digits, check digit via python-stdnum), ISO 3166 alpha-2
countries and ISO 4217 currencies (pycountry), HS codes (6-10 digits under an HS
2022 subheading), price ranges (0 < min <= max), capped lengths; unknown fields
are refused. A brand is filtered and aliased by `brand_key`, a GTIN is unique in
its `gtin14` form.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumError

from catalog.products.hs_codes import known_hs_code
from matchers.records import brand_key as brand_key  # the engine keys products by it too

_SEPARATORS = re.compile(r"[\s.\-]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def clean_text(value: str) -> str:
    """Refuse control characters (NUL breaks PostgreSQL text) and lone surrogates."""
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("the text is not valid Unicode") from exc
    return value


def strip_control(value: str) -> str:
    """Search input with control characters and lone surrogates removed."""
    value = _CONTROL.sub("", value)
    return value.encode("utf-8", "ignore").decode("utf-8")


def plausible_id(value: str) -> bool:
    """True when `value` could be one of our ids (anything else cannot match a row)."""
    return bool(_ID.match(value))


def clean_gtin(value: str) -> str:
    """A GTIN's digits after checking length and check digit (ValueError otherwise)."""
    digits = _SEPARATORS.sub("", value)
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise ValueError("a GTIN has 8, 12, 13 or 14 digits")
    if digits.isascii():
        # The GS1 check digit inline: python-stdnum's validate costs ~20x more per call,
        # which dominated bulk imports. Non-ASCII digits still go to stdnum (it refuses them).
        if _gs1_check_digit(digits[:-1]) != digits[-1]:
            raise ValueError("the GTIN check digit is wrong")
        return digits
    try:
        ean.validate(digits)
    except StdnumError as exc:
        raise ValueError("the GTIN check digit is wrong") from exc
    return digits


def _gs1_check_digit(body: str) -> str:
    odd = sum(map(int, body[-1::-2]))  # from the right: weight 3, 1, 3, ...
    even = sum(map(int, body[-2::-2]))
    return str((10 - 3 * odd - even) % 10)


def gtin14(gtin: str) -> str:
    """A checked GTIN in the 14-digit form under which it is unique (UPC-A and EAN-13 coincide)."""
    return gtin.zfill(14)


def clean_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased (ValueError for unknown codes)."""
    code = value.strip().upper()
    if len(code) != 2 or not is_iso_country(code):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def clean_currency(value: str) -> str:
    """An ISO 4217 code, upper-cased (ValueError for unknown codes)."""
    code = value.strip().upper()
    if len(code) != 3 or not is_iso_currency(code):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


@cache
def is_iso_country(code: str) -> bool:
    """Whether an upper-case code is an ISO 3166-1 alpha-2 country."""
    # Cached per code: pycountry lookups are slow and imports repeat a few codes.
    return pycountry.countries.get(alpha_2=code) is not None


@cache
def is_iso_currency(code: str) -> bool:
    """Whether an upper-case code is an ISO 4217 currency."""
    return pycountry.currencies.get(alpha_3=code) is not None


def clean_hs_code(value: str) -> str:
    """An HS code of 6 to 10 digits (dots and spaces dropped) under an HS 2022 subheading."""
    digits = _SEPARATORS.sub("", value)
    if not digits.isdigit() or not 6 <= len(digits) <= 10:
        raise ValueError("an HS code has 6 to 10 digits")
    if not known_hs_code(digits):
        raise ValueError(f"{digits[:6]} is not an HS 2022 subheading")
    return digits


def date_text(value: Any) -> Any:
    """Refuse numbers for a date (pydantic would read 0 as 1970-01-01); dates pass on."""
    if isinstance(value, (int, float)):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


def not_past(value: date) -> date:
    """Refuse a date before today (UTC): a registration must not start out expired."""
    if value < datetime.now(UTC).date():
        raise ValueError("valid_until is in the past: the registration would already be expired")
    return value


IsoDate = Annotated[date, BeforeValidator(date_text)]
ValidUntil = Annotated[date, BeforeValidator(date_text), AfterValidator(not_past)]
Gtin = Annotated[str, AfterValidator(clean_gtin)]
Country = Annotated[str, AfterValidator(clean_country)]
Currency = Annotated[str, AfterValidator(clean_currency)]
HsCode = Annotated[str, AfterValidator(clean_hs_code)]
_Clean = AfterValidator(clean_text)
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), _Clean
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), _Clean
]
Party = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), _Clean
]
Feature = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), _Clean
]
Description = Annotated[str, StringConstraints(max_length=5000), _Clean]


class PriceRangeIn(BaseModel):
    """The genuine unit price range: 0 < min <= max, in an ISO 4217 currency."""

    model_config = ConfigDict(extra="forbid")

    min: float = Field(gt=0, allow_inf_nan=False, examples=[120.0])
    max: float = Field(gt=0, allow_inf_nan=False, examples=[160.0])
    currency: Currency = Field(examples=["EUR"])

    @model_validator(mode="after")
    def _ordered(self) -> PriceRangeIn:
        if not (math.isfinite(self.min) and self.min <= self.max):
            raise ValueError("price.min must not exceed price.max")
        return self


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class ProductFields(BaseModel):
    """Every optional product field, validated."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    model: ShortText | None = Field(default=None, examples=["DV3853-001"])
    gtins: Annotated[list[Gtin], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=50, examples=[["00195866123458"]]
    )
    description: Description = Field(default="", examples=["Road running shoe, mesh upper"])
    category: ShortText | None = Field(default=None, examples=["footwear"])
    hs_codes: Annotated[list[HsCode], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=20, examples=[["640411"]]
    )
    price: PriceRangeIn | None = None
    authorized_origins: Annotated[list[Country], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=250, examples=[["VN", "ID"]]
    )
    authorized_importers: list[Party] = Field(default_factory=list, max_length=500)
    authorized_exporters: list[Party] = Field(default_factory=list, max_length=500)
    authenticity_features: list[Feature] = Field(default_factory=list, max_length=100)
    counterfeit_indicators: list[Feature] = Field(default_factory=list, max_length=100)
    valid_until: ValidUntil | None = Field(default=None, examples=["2027-11-30"])


class ProductData(ProductFields):
    """A product as registered: `brand` and `name` are required."""

    brand: Name = Field(examples=["Nike"])
    name: Name = Field(examples=["Air Zoom Pegasus 40 running shoe"])


class ProductChanges(ProductFields):
    """A partial update: only the fields sent are changed; `brand`/`name` cannot be cleared."""

    brand: Name | None = None
    name: Name | None = None

    @model_validator(mode="after")
    def _no_null_required(self) -> ProductChanges:
        for field in ("brand", "name"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their validated values."""
        return {name: getattr(self, name) for name in self.model_fields_set}
