"""Tables of access and records: API keys, the audit chain, the catalogue version, idempotency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    LargeBinary,
)
from sqlmodel import Field, SQLModel

from catalog.core.ids import new_id
from catalog.models.base import UtcDateTime, timestamp_field


class ApiKey(SQLModel, table=True):
    """An API key: only its prefix and the SHA-256 of the whole secret are stored."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=300)
    role: str = Field(max_length=20)
    # The client a key speaks for: a new key is a new client, a rotation keeps its client.
    client_id: str = Field(default_factory=new_id, index=True, max_length=36)
    rights_holder_id: str | None = Field(
        default=None, foreign_key="rights_holder.id", index=True, max_length=36
    )
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AuditEvent(SQLModel, table=True):
    """An append-only record of a change, chained to the previous event by SHA-256."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field()
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
    updated_at: datetime = timestamp_field()


class IdempotencyRecord(SQLModel, table=True):
    """A POST's stored response, keyed by (hash of the API key, Idempotency-Key)."""

    __tablename__ = "idempotency_record"

    scope: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    content_type: str | None = Field(default=None, max_length=100)
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = timestamp_field(index=True)
