"""Retention: what `countermark purge` removed from a record; its digests before and after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog.models.base import UtcDateTime


class Redaction(SQLModel, table=True):
    """One record's personal data removed past retention; itself logged in the decision log.

    `digest_before` is the record's logged digest, `digest_after` the digest of what is
    left: `countermark audit verify` accepts a logged record whose digest changed only if
    a redaction links the two.
    """

    __tablename__ = "redaction"
    __table_args__ = (UniqueConstraint("kind", "record_id"),)

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    record_id: str = Field(sa_column=Column(String(36), nullable=False))
    fields: list[str] = Field(sa_column=Column(JSON, nullable=False))
    digest_before: str = Field(sa_column=Column(String(64), nullable=False))
    digest_after: str = Field(sa_column=Column(String(64), nullable=False))
    reason: str = Field(sa_column=Column(String(200), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
