"""The decision log: every stored screening and outcome as one hash-chained entry, and its head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from catalog.models.base import UtcDateTime


class DecisionLogEntry(SQLModel, table=True):
    """One decision at position `seq`: which record, its content digest, and its chained hash."""

    __tablename__ = "decision_log"
    __table_args__ = (Index("ix_decision_log_record_id", "record_id"),)

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    record_id: str = Field(sa_column=Column(String(36), nullable=False))
    digest: str = Field(sa_column=Column(String(64), nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
    logged_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    # How `digest` was computed: null for the first scheme (canonical JSON of the parsed
    # record), 2 for the stored JSON text with the screening's hits. See decision_log.
    scheme: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # Null for a record logged when it was stored; "adopted" for one stored before the
    # log existed and brought into it later (`countermark audit adopt`, at `logged_at`).
    origin: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    # A batch entry (scheme 3, one per group commit): `digest` is the Merkle root of its
    # leaves, one "kind record_id digest" line each, in order; null on single entries.
    leaf_count: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    leaves: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class DecisionLogHead(SQLModel, table=True):
    """The single row (id 1) every append locks: the log's size and last hash."""

    __tablename__ = "decision_log_head"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
