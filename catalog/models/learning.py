"""Learning from outcomes: stored weights versions and the shadow scores of live screenings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from catalog.models.base import UtcDateTime


class WeightsVersion(SQLModel, table=True):
    """One version of the scoring weights (`matchers.weights.Weights` as JSON).

    `status` is `candidate` (fitted, unused), `shadow` (scored beside the active one on
    live screenings), `active` (scores screenings; at most one) or `retired`.
    """

    __tablename__ = "weights_version"

    version: str = Field(sa_column=Column(String(64), primary_key=True))
    weights: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ShadowScore(SQLModel, table=True):
    """A live screening scored again under the shadow weights, off the response path."""

    __tablename__ = "shadow_score"
    __table_args__ = (
        Index("ix_shadow_score_weights_version_id", "weights_version", "id"),
        Index("ix_shadow_score_screening_id", "screening_id"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True)
    )
    screening_id: str = Field(sa_column=Column(String(36), nullable=False))
    weights_version: str = Field(sa_column=Column(String(64), nullable=False))
    risk: float = Field(sa_column=Column(Float, nullable=False))
    lane: str = Field(sa_column=Column(String(16), nullable=False))
    live_lane: str = Field(sa_column=Column(String(16), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
