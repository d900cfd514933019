"""Prior versions of catalogue rows: products, reference images, brand aliases, rates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, Float, Integer, LargeBinary, String
from sqlmodel import Field, SQLModel

from catalog.models.base import UtcDateTime


class ProductVersion(SQLModel, table=True):
    """A product as it stood from `catalog_version` until the change at `replaced_at_version`."""

    __tablename__ = "product_version"

    product_id: str = Field(sa_column=Column(String(36), primary_key=True))
    catalog_version: int = Field(sa_column=Column(BigInteger, primary_key=True))
    replaced_at_version: int = Field(sa_column=Column(BigInteger, nullable=False))
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ReferenceImageVersion(SQLModel, table=True):
    """A removed reference image, live from `catalog_version` until `removed_at_version`."""

    __tablename__ = "reference_image_version"

    image_id: str = Field(sa_column=Column(String(36), primary_key=True))
    catalog_version: int = Field(sa_column=Column(BigInteger, primary_key=True))
    removed_at_version: int = Field(sa_column=Column(BigInteger, nullable=False))
    product_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    hashes: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    local_features: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class BrandAliasVersion(SQLModel, table=True):
    """A removed brand alias, in force from `catalog_version` until `removed_at_version`."""

    __tablename__ = "brand_alias_version"

    alias_id: str = Field(sa_column=Column(String(36), primary_key=True))
    rights_holder_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    brand: str = Field(sa_column=Column(String(300), nullable=False))
    alias: str = Field(sa_column=Column(String(300), nullable=False))
    catalog_version: int = Field(sa_column=Column(BigInteger, nullable=False))
    removed_at_version: int = Field(sa_column=Column(BigInteger, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ExchangeRateVersion(SQLModel, table=True):
    """A replaced exchange rate: fx version `rate_id` (its row id) up to `replaced_at_version`."""

    __tablename__ = "fx_rate_version"

    rate_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    quote: str = Field(sa_column=Column(String(3), nullable=False))
    rate: float = Field(sa_column=Column(Float, nullable=False))
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_to: date = Field(sa_column=Column(Date, nullable=False))
    source: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    replaced_at_version: int = Field(sa_column=Column(Integer, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
