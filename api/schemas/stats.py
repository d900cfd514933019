"""Bodies of the hit-rate report (`GET /v1/stats`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class HitRate(BaseModel):
    """Counts of one group and its hit rate (counterfeits / outcomes) with a Wilson 95% interval."""

    screenings: int = Field(description="screenings in the window")
    outcomes: int = Field(description="of them, with an inspection outcome recorded")
    counterfeits: int = Field(description="of them, whose latest outcome is `counterfeit`")
    hit_rate: float | None = Field(description="counterfeits / outcomes; null without outcomes")
    hit_rate_low: float | None = Field(description="lower bound of the Wilson 95% interval")
    hit_rate_high: float | None = Field(description="upper bound of the Wilson 95% interval")


class LaneRate(HitRate):
    """Screenings placed in one lane."""

    lane: str


class SignalRate(HitRate):
    """Screenings in which one signal pushed a match towards suspicion."""

    signal: str


class HolderRate(HitRate):
    """Screenings that implicated any product of one rights holder."""

    rights_holder_id: str
    name: str


class ProductRate(HitRate):
    """Screenings that implicated one registration."""

    product_id: str
    rights_holder_id: str
    brand: str
    name: str


class FlaggedRegistration(BaseModel):
    """An active registration that needs attention."""

    product_id: str
    rights_holder_id: str
    brand: str
    name: str
    valid_until: date | None


class Flag(BaseModel):
    """How many registrations carry a flag, and the first of them (by id)."""

    count: int
    products: list[FlaggedRegistration]


class Flags(BaseModel):
    """Registrations never matched, without reference images, expiring within 30 days, expired."""

    never_matched: Flag
    no_images: Flag
    expiring_soon: Flag
    expired: Flag


class StatsReport(BaseModel):
    """Hit rates over [since, until) per lane, signal, rights holder and registration."""

    since: datetime
    until: datetime
    total: HitRate
    by_lane: list[LaneRate]
    random_selection: HitRate = Field(
        description="Screenings inspected because the random control share selected them."
    )
    by_signal: list[SignalRate]
    by_rights_holder: list[HolderRate]
    by_product: list[ProductRate]
    flags: Flags
