"""Plain records the engine works on: what the catalogue holds and what a declaration says."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

ImageKind = Literal["genuine", "counterfeit", "packaging", "logo"]
Verdict = Literal[
    "no_match", "matched_unverified", "likely_genuine", "suspicious", "likely_counterfeit"
]
Lane = Literal["green", "yellow", "red"]


def brand_key(brand: str) -> str:
    """The key a brand is filtered and aliased by: whitespace collapsed, casefolded."""
    return " ".join(brand.split()).casefold()


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in an ISO 4217 currency."""

    amount: float
    currency: str


@dataclass(frozen=True, slots=True)
class PriceRange:
    """The genuine price range a rights holder registered (0 < min <= max)."""

    min: float
    max: float
    currency: str


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """A registered genuine product, as the engine sees it."""

    product_id: str
    rights_holder_id: str
    brand: str
    name: str
    model: str | None = None
    gtins: tuple[str, ...] = ()
    description: str = ""
    category: str | None = None
    hs_codes: tuple[str, ...] = ()
    price: PriceRange | None = None
    authorized_origins: tuple[str, ...] = ()
    authorized_importers: tuple[str, ...] = ()
    authorized_exporters: tuple[str, ...] = ()
    brand_aliases: tuple[str, ...] = ()
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """A registered reference image: its perceptual hashes and, optionally, local features.

    `hashes` maps a hash name ("phash", "dhash", "whash", "colorhash", and any
    variant the near-copy index adds) to its hex string. `local_features` is the
    opaque blob `matchers.images` produced for photo matching, or None.
    """

    image_id: str
    product_id: str
    kind: ImageKind
    hashes: Mapping[str, str] = field(default_factory=dict)
    local_features: bytes | None = None


@dataclass(frozen=True, slots=True)
class DeclaredImage:
    """An image sent with a declaration: its features, computed by the service or the client.

    A client that may not send pixels sends hashes only; `local_features` is
    then None and only near-copy matching applies.
    """

    hashes: Mapping[str, str] = field(default_factory=dict)
    local_features: bytes | None = None


@dataclass(frozen=True, slots=True)
class Declaration:
    """A declared item (or an officer's check). Only `description` is required."""

    description: str
    brand: str | None = None
    hs_code: str | None = None
    gtin: str | None = None
    quantity: int | None = None
    unit_value: Money | None = None
    origin_country: str | None = None
    exporter: str | None = None
    importer: str | None = None
    images: tuple[DeclaredImage, ...] = ()
    declared_on: date | None = None
    # whether `hs_code` is in the HS 2022 nomenclature, as the catalogue's table says
    # (None: not checked); read by `matchers.features.hs`
    hs_code_known: bool | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """One feature's evidence: its log-odds contribution and a sentence saying why.

    `detail` is a sentence an officer can read aloud; `evidence`, when given, holds the
    expert detail behind it (hash distances, the view that matched, the normalised form).
    """

    name: str
    contribution: float
    detail: str
    evidence: Mapping[str, str | float] | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """A registered product implicated by a declaration."""

    product_id: str
    rights_holder_id: str
    brand: str
    name: str
    similarity: float
    risk: float
    signals: tuple[Signal, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    """The engine's answer for one declaration.

    `signals` are the declaration-level signals (found on the declaration alone, such as
    counterfeit vocabulary or a look-alike brand with no product identified), not a copy
    of a match's: each match carries its own.
    """

    risk: float
    verdict: Verdict
    lane: Lane
    matches: tuple[Match, ...] = ()
    signals: tuple[Signal, ...] = ()
