"""Ownership tables: which rights holder a brand (or alias) and a GTIN belong to."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from catalog.models.base import timestamp_field


class BrandOwner(SQLModel, table=True):
    """The holder a brand name belongs to, keyed by `brand_key` (aliases are brands too)."""

    __tablename__ = "brand_owner"

    brand_key: str = Field(primary_key=True, max_length=300)
    brand: str = Field(max_length=300)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", index=True, max_length=36)
    trademark_number: str | None = Field(default=None, max_length=64)
    trademark_office: str | None = Field(default=None, max_length=64)
    assigned_at: datetime = timestamp_field()


class GtinOwner(SQLModel, table=True):
    """The holder a GTIN (in its 14-digit form) belongs to: the first to register it."""

    __tablename__ = "gtin_owner"

    gtin: str = Field(primary_key=True, max_length=14)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", index=True, max_length=36)
    claimed_at: datetime = timestamp_field()
