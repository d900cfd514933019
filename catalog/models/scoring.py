"""Tables the scoring reads beside the catalogue: exchange rates, the scoring settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from catalog.models.base import UtcDateTime


class ExchangeRate(SQLModel, table=True):
    """An exchange rate: one unit of `currency` is worth `rate` units of `quote` over a period."""

    __tablename__ = "fx_rate"
    __table_args__ = (
        UniqueConstraint(
            "currency", "quote", "valid_from", name="uq_fx_rate_currency_quote_valid_from"
        ),
    )

    id: int | None = Field(
        default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True)
    )
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    quote: str = Field(sa_column=Column(String(3), nullable=False))
    rate: float = Field(sa_column=Column(Float, nullable=False))
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_to: date = Field(sa_column=Column(Date, nullable=False))
    source: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ScoringSettingsVersion(SQLModel, table=True):
    """One version of the operator's scoring settings (lane thresholds); the highest is in force."""

    __tablename__ = "scoring_settings"

    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    thresholds: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    api_key_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
