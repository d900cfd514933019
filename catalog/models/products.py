"""Catalogue tables: rights holders, brand aliases, products, their GTINs and reference images."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from catalog.core.ids import new_id
from catalog.models.base import timestamp_field


class RightsHolder(SQLModel, table=True):
    """A brand owner that registers genuine products."""

    __tablename__ = "rights_holder"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    status: str = Field(default="active", max_length=16)
    created_at: datetime = timestamp_field()


class BrandAlias(SQLModel, table=True):
    """Another name a holder's brand goes by ("LV" for "Louis Vuitton")."""

    __tablename__ = "brand_alias"
    __table_args__ = (UniqueConstraint("rights_holder_id", "brand", "alias"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", index=True, max_length=36)
    brand: str = Field(max_length=300)
    alias: str = Field(max_length=300)
    catalog_version: int = Field(default=0, sa_type=BigInteger, index=True)
    created_at: datetime = timestamp_field()


class Product(SQLModel, table=True):
    """A registered genuine product; list fields are JSON arrays."""

    __tablename__ = "product"
    __table_args__ = (Index("ix_product_rights_holder_id_id", "rights_holder_id", "id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", max_length=36)
    brand: str = Field(max_length=300)
    brand_key: str = Field(max_length=300, index=True)
    name: str = Field(max_length=300)
    model: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", sa_type=Text)
    category: str | None = Field(default=None, max_length=100)
    gtins: list[str] = Field(default_factory=list, sa_type=JSON)
    hs_codes: list[str] = Field(default_factory=list, sa_type=JSON)
    price_min: float | None = None
    price_max: float | None = None
    price_currency: str | None = Field(default=None, max_length=3)
    authorized_origins: list[str] = Field(default_factory=list, sa_type=JSON)
    authorized_importers: list[str] = Field(default_factory=list, sa_type=JSON)
    authorized_exporters: list[str] = Field(default_factory=list, sa_type=JSON)
    authenticity_features: list[str] = Field(default_factory=list, sa_type=JSON)
    counterfeit_indicators: list[str] = Field(default_factory=list, sa_type=JSON)
    valid_until: date | None = None
    status: str = Field(default="active", max_length=16)
    search_text: str = Field(default="", sa_type=Text)
    catalog_version: int = Field(default=0, sa_type=BigInteger, index=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class ProductGtin(SQLModel, table=True):
    """One GTIN of one live product; the unique key stops a holder registering it twice."""

    __tablename__ = "product_gtin"
    __table_args__ = (UniqueConstraint("rights_holder_id", "gtin"),)

    id: int | None = Field(default=None, primary_key=True)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", max_length=36)
    gtin: str = Field(max_length=14, index=True)
    product_id: str = Field(foreign_key="product.id", index=True, max_length=36)


class ReferenceImage(SQLModel, table=True):
    """A reference image's facts; its bytes live in the blob store under `sha256`."""

    __tablename__ = "reference_image"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    product_id: str = Field(foreign_key="product.id", index=True, max_length=36)
    kind: str = Field(max_length=16)
    sha256: str = Field(max_length=64, index=True)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    hashes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    local_features: bytes | None = Field(default=None, sa_type=LargeBinary)
    catalog_version: int = Field(default=0, sa_type=BigInteger, index=True)
    created_at: datetime = timestamp_field()
