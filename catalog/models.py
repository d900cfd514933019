"""Catalogue tables (SQLModel). API schemas live apart, in api/schemas.py.

Other modules that define tables (screenings, fx rates ...) put them on the same
`SQLModel.metadata`, which carries the constraint naming convention set here: import
this module before defining them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from catalog.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp with time zone that always reads back as aware UTC (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, **kw)  # type: ignore[call-overload]


class RightsHolder(SQLModel, table=True):
    """A brand owner that registers genuine products."""

    __tablename__ = "rights_holder"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=300)
    contact_email: str | None = Field(default=None, max_length=320)
    status: str = Field(default="active", max_length=16)
    created_at: datetime = _ts()


class BrandAlias(SQLModel, table=True):
    """Another name a holder's brand goes by ("LV" for "Louis Vuitton")."""

    __tablename__ = "brand_alias"
    __table_args__ = (UniqueConstraint("rights_holder_id", "brand", "alias"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", index=True, max_length=36)
    brand: str = Field(max_length=300)
    alias: str = Field(max_length=300)
    catalog_version: int = Field(default=0, sa_type=BigInteger, index=True)
    created_at: datetime = _ts()


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
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


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
    created_at: datetime = _ts()


class ApiKey(SQLModel, table=True):
    """An API key: only its prefix and the SHA-256 of the whole secret are stored."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=300)
    role: str = Field(max_length=20)
    rights_holder_id: str | None = Field(
        default=None, foreign_key="rights_holder.id", index=True, max_length=36
    )
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = _ts()
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # type: ignore[call-overload]


class AuditEvent(SQLModel, table=True):
    """An append-only record of a change, chained to the previous event by SHA-256."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts()
    actor: str = Field(max_length=80)
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    catalog_version: int | None = Field(default=None, sa_type=BigInteger)
    engine_version: str | None = Field(default=None, max_length=64)
    change: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    change_sha256: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class CatalogVersion(SQLModel, table=True):
    """The single-row counter bumped by every catalogue change (row id 1)."""

    __tablename__ = "catalog_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = _ts()


class IdempotencyRecord(SQLModel, table=True):
    """A POST's stored response, keyed by (hash of the API key, Idempotency-Key)."""

    __tablename__ = "idempotency_record"

    scope: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    content_type: str | None = Field(default=None, max_length=100)
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = _ts(index=True)


__all__ = [
    "NAMING_CONVENTION",
    "ApiKey",
    "AuditEvent",
    "BrandAlias",
    "CatalogVersion",
    "Column",
    "IdempotencyRecord",
    "Product",
    "ProductGtin",
    "ReferenceImage",
    "RightsHolder",
    "String",
    "UtcDateTime",
    "metadata",
    "utcnow",
]
