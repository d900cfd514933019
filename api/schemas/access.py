"""Bodies of the rights-holder and API-key endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import ID_PATTERN, Email, Name

Role = Literal["admin", "rights_holder", "customs", "officer"]


class RightsHolderCreate(BaseModel):
    """A new rights holder."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "LEGO A/S", "contact_email": "ip@lego.example"}]},
    )

    name: Name
    contact_email: Email | None = None


class RightsHolderRead(BaseModel):
    """A rights holder."""

    id: str
    name: str
    contact_email: str | None
    status: str
    created_at: datetime


class RightsHolderPage(BaseModel):
    """One page of rights holders."""

    items: list[RightsHolderRead]
    next_cursor: str | None


class ApiKeyCreate(BaseModel):
    """A key to issue; `rights_holder_id` is required for (and only for) `rights_holder`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"role": "rights_holder", "name": "LEGO IP team", "rights_holder_id": "…"}]
        },
    )

    role: Role
    name: Name
    rights_holder_id: str | None = Field(default=None, pattern=ID_PATTERN)
    rotates: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="The id of a key this one replaces: the new key then speaks for its client.",
    )
    client_of: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="The id of a customs or officer key whose client this key joins "
        "(an officer of that customs system sees its screenings).",
    )


class ApiKeyRead(BaseModel):
    """A key's public facts (never its secret)."""

    id: str
    prefix: str
    role: str
    name: str
    client_id: str
    rights_holder_id: str | None
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(BaseModel):
    """A newly issued key: `key` is the secret, shown this once."""

    id: str
    key: str
    prefix: str
    role: str
    name: str
    client_id: str
    rights_holder_id: str | None


class ApiKeyList(BaseModel):
    """Every key."""

    items: list[ApiKeyRead]
