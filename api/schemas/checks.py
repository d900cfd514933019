"""Request and response schemas of officers' checks and proposed references."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.screening import OutcomeKind, StrictModel

Lane = Literal["green", "yellow", "red"]


class Checklist(BaseModel):
    """What the rights holder says genuine items show, and what fakes show."""

    authenticity_features: list[str]
    counterfeit_indicators: list[str]


class Contact(BaseModel):
    """Whom to call about a product."""

    rights_holder: str | None
    email: str | None


class Candidate(BaseModel):
    """A registered product the item may be, with what to look for and whom to call."""

    product_id: str
    brand: str
    name: str
    confident: bool = Field(
        description="scored as a screening match; false: a possible photo match to compare"
    )
    similarity: float = Field(description="how strongly the item is identified with it, 0-1")
    risk: float | None = Field(description="how likely it is a counterfeit of it (confident only)")
    lane: Lane | None
    reasons: list[str] = Field(description="the strongest evidence, in words")
    thumbnails: list[str] = Field(description="URLs of genuine reference images (GET with key)")
    checklist: Checklist
    contact: Contact


class BarcodeRead(BaseModel):
    """A barcode read from the photo."""

    symbology: str = Field(examples=["EAN-13"])
    text: str
    gtin: str = Field(description="the GTIN it carries, as 14 digits")


class CheckOutcome(BaseModel):
    """The latest outcome recorded for a check."""

    outcome: OutcomeKind
    note: str | None
    recorded_at: datetime


class CheckResult(BaseModel):
    """A check's compact answer, for a phone."""

    id: str
    screening_id: str = Field(description="the stored screening that scored this check")
    risk: float
    verdict: str
    lane: Lane
    no_confident_match: bool = Field(description="true when no registered product is identified")
    candidates: list[Candidate] = Field(
        description="at most 3: confident matches first, then possible photo matches"
    )
    barcode: BarcodeRead | None
    gtin: str | None = Field(description="the GTIN scored: the typed one, else the barcode's")
    photo_url: str | None = Field(description="the stored photo (metadata stripped)")
    catalog_version: int
    engine_version: str
    took_ms: float
    created_at: datetime
    outcome: CheckOutcome | None
    checked: list[str] = Field(description="checklist items the officer ticked")


class CheckOutcomeIn(StrictModel):
    """What the officer found, the checklist items ticked, and which candidate it claims to be."""

    outcome: OutcomeKind
    note: str | None = Field(default=None, max_length=2000)
    checked: list[str] = Field(default_factory=list, max_length=100)
    product_id: str | None = Field(
        default=None, max_length=36, description="the candidate it is (default: the first)"
    )


class ProposedReferenceRead(BaseModel):
    """An officer's photo of a confirmed fake of one of your products."""

    id: str
    check_id: str
    product_id: str
    brand: str
    name: str
    status: Literal["proposed", "accepted", "rejected"]
    photo_url: str
    reference_image_id: str | None
    created_at: datetime
    decided_at: datetime | None


class ProposedReferencePage(BaseModel):
    """A page of proposed references; pass `next_cursor` as `cursor` for the next."""

    items: list[ProposedReferenceRead]
    next_cursor: str | None
