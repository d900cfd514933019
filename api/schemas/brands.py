"""Bodies of the brand-ownership endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import ID_PATTERN

Registration = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class BrandOwnerAssign(BaseModel):
    """Assign or transfer a brand on the proof of its trademark registration."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rights_holder_id": "…",
                    "trademark_number": "000123456",
                    "trademark_office": "EUIPO",
                }
            ]
        },
    )

    rights_holder_id: str = Field(pattern=ID_PATTERN)
    trademark_number: Registration = Field(description="The trademark registration number.")
    trademark_office: Registration = Field(description="The office that registered it.")


class BrandOwnerRead(BaseModel):
    """Who owns a brand, and on which registration."""

    brand: str
    rights_holder_id: str
    trademark_number: str | None
    trademark_office: str | None
    assigned_at: datetime
