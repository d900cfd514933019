"""Screening tables: each screening, its hits (one row per matched product) and its outcomes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlmodel import Field, SQLModel

from catalog.models.base import UtcDateTime


class Screening(SQLModel, table=True):
    """One scored declared item, with everything needed to reproduce its result."""

    __tablename__ = "screening"
    __table_args__ = (
        Index("ix_screening_api_key_id_created_at", "api_key_id", "created_at"),
        Index("ix_screening_created_at", "created_at"),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    api_key_id: str = Field(sa_column=Column(String(64), nullable=False))
    client_role: str = Field(sa_column=Column(String(36), nullable=False))
    reference: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    declared_on: date = Field(sa_column=Column(Date, nullable=False))
    screened_on: date = Field(sa_column=Column(Date, nullable=False))
    request: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    risk: float = Field(sa_column=Column(Float, nullable=False))
    verdict: str = Field(sa_column=Column(String(36), nullable=False))
    lane: str = Field(sa_column=Column(String(16), nullable=False))
    catalog_version: int = Field(sa_column=Column(Integer, nullable=False))
    engine_version: str = Field(sa_column=Column(String(64), nullable=False))
    weights_version: str = Field(sa_column=Column(String(64), nullable=False))
    settings_version: int = Field(sa_column=Column(Integer, nullable=False))
    fx_version: int = Field(sa_column=Column(Integer, nullable=False))
    thresholds: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    took_ms: float = Field(sa_column=Column(Float, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    # Where the decision log holds it when it was logged in a batch entry: the entry's
    # `record_id` and the leaf's index. Not covered by its digest (set as it is logged).
    log_batch: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    log_leaf: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))


class ScreeningHit(SQLModel, table=True):
    """A registered product a screening implicated: what a rights holder's alerts list."""

    __tablename__ = "screening_hit"
    __table_args__ = (
        Index("ix_screening_hit_rights_holder_id_id", "rights_holder_id", "id"),
        Index("ix_screening_hit_screening_id", "screening_id"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True)
    )
    screening_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("screening.id", name="fk_screening_hit_screening_id_screening"),
            nullable=False,
        )
    )
    product_id: str = Field(sa_column=Column(String(64), nullable=False))
    rights_holder_id: str = Field(sa_column=Column(String(64), nullable=False))
    rank: int = Field(sa_column=Column(Integer, nullable=False))
    similarity: float = Field(sa_column=Column(Float, nullable=False))
    risk: float = Field(sa_column=Column(Float, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ScreeningOutcome(SQLModel, table=True):
    """What an inspection found for a screened item (the latest row counts)."""

    __tablename__ = "screening_outcome"
    __table_args__ = (Index("ix_screening_outcome_screening_id", "screening_id"),)

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    screening_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("screening.id", name="fk_screening_outcome_screening_id_screening"),
            nullable=False,
        )
    )
    outcome: str = Field(sa_column=Column(String(16), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    api_key_id: str = Field(sa_column=Column(String(64), nullable=False))
    role: str = Field(sa_column=Column(String(36), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
