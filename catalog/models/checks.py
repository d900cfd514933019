"""Officers' checks of physical items, and the photos of fakes they offer to rights holders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog.core.ids import new_id
from catalog.models.base import UtcDateTime, timestamp_field


class OfficerCheck(SQLModel, table=True):
    """One check from a phone: the screening that scored it, the stored photo, what was read."""

    __tablename__ = "officer_check"
    __table_args__ = (Index("ix_officer_check_api_key_id_id", "api_key_id", "id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    screening_id: str = Field(
        sa_column=Column(
            String(36),
            ForeignKey("screening.id", name="fk_officer_check_screening_id_screening"),
            nullable=False,
            unique=True,
        )
    )
    api_key_id: str = Field(max_length=64)
    text: str | None = Field(default=None, sa_type=Text)
    gtin: str | None = Field(default=None, max_length=14)
    barcode: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    photo_sha256: str | None = Field(default=None, max_length=64)
    photo_width: int | None = None
    photo_height: int | None = None
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    checklist: list[str] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = timestamp_field()


class ProposedReference(SQLModel, table=True):
    """An officer's photo of a confirmed fake, offered to the product's rights holder."""

    __tablename__ = "proposed_reference"
    __table_args__ = (
        UniqueConstraint("check_id", "product_id"),
        Index("ix_proposed_reference_rights_holder_id_id", "rights_holder_id", "id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    check_id: str = Field(foreign_key="officer_check.id", max_length=36)
    product_id: str = Field(foreign_key="product.id", max_length=36)
    rights_holder_id: str = Field(foreign_key="rights_holder.id", max_length=36)
    photo_sha256: str = Field(max_length=64)
    status: str = Field(default="proposed", max_length=16)
    reference_image_id: str | None = Field(default=None, max_length=36)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = timestamp_field()
