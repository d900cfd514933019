"""Prior versions of catalogue rows: what a product or reference image was before a change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, LargeBinary, String
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
