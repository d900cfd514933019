"""Request and response schemas of the screening endpoints."""

from __future__ import annotations

import math
import re
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from api.errors import Problem
from api.schemas.common import not_a_boolean
from catalog.products.validation import IsoDate, clean_text

_HEX = re.compile(r"^[0-9a-fA-F]{4,256}$")
# The engine compares 64-bit hashes bit by bit: another length is not the same hash.
_HEX64 = re.compile(r"^[0-9a-fA-F]{16}$")


@lru_cache(maxsize=512)
def _known_currency(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None


@lru_cache(maxsize=512)
def _known_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def _currency(value: str) -> str:
    code = value.upper()
    if not _known_currency(code):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


def _country(value: str) -> str:
    code = value.upper()
    if not _known_country(code):
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
    return code


def finite(value: float) -> float:
    """Refuse NaN and infinities (JSON allows neither, Python's parser accepts both)."""
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]
Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
Name = Annotated[str, Field(max_length=300)]
HexHash = Annotated[str, Field(pattern=_HEX.pattern)]
Hash64 = Annotated[str, Field(pattern=_HEX64.pattern)]


class StrictModel(BaseModel):
    """A request body: unknown fields are refused, surrounding whitespace trimmed.

    Every text field refuses control characters (a NUL breaks PostgreSQL text) and
    lone surrogates (they cannot be stored as UTF-8).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value


class MoneyIn(StrictModel):
    """An amount in an ISO 4217 currency."""

    amount: Annotated[
        float, Field(ge=0, examples=[4.5]), BeforeValidator(not_a_boolean), AfterValidator(finite)
    ]
    currency: Currency = Field(examples=["USD"])


class DeclaredImageIn(StrictModel):
    """A declared item's image: base64 bytes, or the perceptual hashes a client computed."""

    data: str | None = Field(
        default=None,
        min_length=1,
        max_length=14_000_000,
        description="The image file (JPEG, PNG, WebP, HEIC), base64-encoded.",
    )
    phash: Hash64 | None = Field(default=None, description="64-bit pHash as 16 hex digits.")
    dhash: Hash64 | None = Field(default=None, description="64-bit dHash as 16 hex digits.")
    whash: Hash64 | None = Field(default=None, description="64-bit wHash as 16 hex digits.")
    colorhash: HexHash | None = None

    @model_validator(mode="after")
    def _one_form(self) -> DeclaredImageIn:
        hashes = any((self.phash, self.dhash, self.whash, self.colorhash))
        if self.data is None and not hashes:
            raise ValueError("an image needs `data` or at least one hash such as `phash`")
        if self.data is not None and hashes:
            raise ValueError("send either `data` or hashes for one image, not both")
        return self


class ConsigneeIn(StrictModel):
    """The consignee; kept only as a keyed pseudonym, never stored in clear."""

    name: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=1000)


class ScreeningRequest(StrictModel):
    """A declared item to score. Only `description` is required."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "reference": "DECL-2026-000123/1",
                    "description": "mens running shoes air max 90 white",
                    "brand": "Nike",
                    "hs_code": "640411",
                    "gtin": "00012345678905",
                    "quantity": 200,
                    "unit_value": {"amount": 4.5, "currency": "USD"},
                    "origin_country": "CN",
                    "exporter": "Shenzhen Trading Co",
                    "importer": "Example Imports BV",
                    "images": [{"phash": "c3d1e0f0b0a09080"}],
                }
            ]
        },
    )

    reference: str | None = Field(
        default=None,
        max_length=200,
        description="The client's own reference for the item (declaration number/line).",
        examples=["DECL-2026-000123/1"],
    )
    description: str = Field(
        min_length=1,
        max_length=1000,
        description="Goods description as declared.",
        examples=["mens running shoes air max 90 white"],
    )
    brand: Name | None = Field(default=None, description="Declared brand.", examples=["Nike"])
    hs_code: str | None = Field(
        default=None,
        pattern=r"^\d{6,10}$",
        description="HS code, 6 to 10 digits.",
        examples=["640411"],
    )
    gtin: str | None = Field(
        default=None,
        pattern=r"^\d{8,14}$",
        description="Declared GTIN, 8 to 14 digits; a bad check digit is a signal.",
        examples=["00012345678905"],
    )
    quantity: int | None = Field(default=None, ge=1, le=100_000_000, examples=[200])
    unit_value: MoneyIn | None = Field(default=None, description="Declared value of one unit.")
    origin_country: Country | None = Field(
        default=None, description="ISO 3166 alpha-2 country of origin.", examples=["CN"]
    )
    exporter: Name | None = Field(
        default=None,
        examples=["Shenzhen Trading Co"],
        description="matched against the authorised exporters; stored only as a keyed pseudonym",
    )
    importer: Name | None = Field(
        default=None,
        examples=["Example Imports BV"],
        description="matched against the authorised importers; stored only as a keyed pseudonym",
    )
    consignee: ConsigneeIn | None = Field(
        default=None, description="Stored only as a keyed pseudonym (personal data)."
    )
    declared_on: IsoDate | None = Field(
        default=None,
        description="Declaration date; picks the exchange rate. Defaults to today (UTC).",
        examples=["2026-11-27"],
    )
    images: list[DeclaredImageIn] = Field(default_factory=list, max_length=8)


class SignalOut(BaseModel):
    """One feature's contribution (log-odds) and why."""

    name: str = Field(examples=["price_below_range"])
    contribution: float = Field(examples=[2.1])
    detail: str = Field(description="a sentence an officer can read aloud")
    evidence: dict[str, str | float] | None = Field(
        default=None,
        description="the expert detail behind the sentence (which reference, how near)",
    )


class MatchOut(BaseModel):
    """A registered product the item is identified with."""

    product_id: str
    brand: str
    name: str
    similarity: float = Field(ge=0, le=1)
    risk: float = Field(ge=0, le=1)
    signals: list[SignalOut]


Verdict = Literal[
    "no_match", "matched_unverified", "likely_genuine", "suspicious", "likely_counterfeit"
]
Lane = Literal["green", "yellow", "red"]
OutcomeKind = Literal["counterfeit", "genuine", "inconclusive"]


class OutcomeOut(BaseModel):
    """What an inspection found."""

    outcome: OutcomeKind
    note: str | None = None
    recorded_at: datetime
    recorded_by: str = Field(description="The id of the API key that recorded it.")
    role: str = Field(description="The role of that key.")


class ScreeningResult(BaseModel):
    """The score of one declared item; stored and reproducible by its versions."""

    id: str
    reference: str | None
    risk: float = Field(ge=0, le=1)
    verdict: Verdict
    lane: Lane
    matches: list[MatchOut]
    signals: list[SignalOut] = Field(
        description="Declaration-level signals, not tied to one product (counterfeit vocabulary, "
        "an invalid GTIN, a look-alike brand with no product identified); each match carries "
        "its own signals."
    )
    catalog_version: int
    engine_version: str
    weights_version: str
    settings_version: int
    random_selection: bool = Field(
        default=False,
        description="Chosen for inspection by the random control share (present when true).",
    )
    took_ms: float
    created_at: datetime
    outcome: OutcomeOut | None = Field(default=None, description="The latest outcome.")
    outcomes: list[OutcomeOut] = Field(
        default_factory=list, description="Every outcome recorded, oldest first (append-only)."
    )


class BatchRequest(BaseModel):
    """Up to 1000 declared items; each is validated on its own."""

    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=1000,
        json_schema_extra={"items": {"$ref": "#/components/schemas/ScreeningRequest"}},
    )


class BatchEntry(BaseModel):
    """One item's answer, in request order: a result, or a problem when the item was invalid."""

    index: int
    status: int
    result: ScreeningResult | None = None
    problem: Problem | None = None


class BatchResult(BaseModel):
    """Answers for a batch, in the order of the items."""

    results: list[BatchEntry]


class OutcomeIn(StrictModel):
    """The outcome of an inspection."""

    outcome: OutcomeKind
    note: str | None = Field(default=None, max_length=2000)
