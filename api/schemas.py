"""Request and response bodies of the HTTP API (separate from the tables)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from catalog.validation import ProductChanges, ProductData, clean_text

ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
Role = Literal["admin", "rights_holder", "customs", "officer"]
ImageKind = Literal["genuine", "counterfeit", "packaging", "logo"]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(clean_text),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(clean_text),
]


class Health(BaseModel):
    """Liveness."""

    status: Literal["ok"]


class Readiness(BaseModel):
    """Readiness and the result of each check."""

    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]


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


class ApiKeyRead(BaseModel):
    """A key's public facts (never its secret)."""

    id: str
    prefix: str
    role: str
    name: str
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
    rights_holder_id: str | None


class ApiKeyList(BaseModel):
    """Every key."""

    items: list[ApiKeyRead]


class PriceRangeRead(BaseModel):
    """The genuine price range."""

    min: float
    max: float
    currency: str


PRODUCT_EXAMPLE: dict[str, Any] = {
    "brand": "Nike",
    "name": "Air Zoom Pegasus 40 running shoe",
    "model": "DV3853-001",
    "gtins": ["00195866123458"],
    "description": "Road running shoe, engineered mesh upper",
    "category": "footwear",
    "hs_codes": ["640411"],
    "price": {"min": 120.0, "max": 160.0, "currency": "EUR"},
    "authorized_origins": ["VN", "ID"],
    "authorized_importers": ["Nike European Operations Netherlands B.V."],
    "authorized_exporters": ["Nike Vietnam Co."],
    "authenticity_features": ["size label stitched inside the tongue"],
    "counterfeit_indicators": ["glued, not stitched, sole"],
    "valid_until": "2027-11-30",
}


class ProductCreate(ProductData):
    """A product to register (only `brand` and `name` are required)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PRODUCT_EXAMPLE]})


class ProductUpdate(ProductChanges):
    """Fields to change; fields not sent stay as they are."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"price": PRODUCT_EXAMPLE["price"]}]}
    )


class ProductRead(BaseModel):
    """A registered product."""

    id: str
    rights_holder_id: str
    brand: str
    name: str
    model: str | None
    gtins: list[str]
    description: str
    category: str | None
    hs_codes: list[str]
    price: PriceRangeRead | None
    authorized_origins: list[str]
    authorized_importers: list[str]
    authorized_exporters: list[str]
    authenticity_features: list[str]
    counterfeit_indicators: list[str]
    valid_until: date | None
    status: Literal["active", "retired"]
    image_count: int = 0
    catalog_version: int
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    """One page of products; pass `next_cursor` as `cursor` for the next (null at the end)."""

    items: list[ProductRead]
    next_cursor: str | None


class ImageRead(BaseModel):
    """A stored reference image and its features."""

    id: str
    product_id: str
    kind: ImageKind
    sha256: str
    content_type: str
    width: int
    height: int
    hashes: dict[str, str]
    has_local_features: bool
    created_at: datetime


class ImportRowError(BaseModel):
    """A refused row: its line number in the file and why."""

    line: int
    reason: str


class ImportReport(BaseModel):
    """What a bulk import stored and refused."""

    total: int
    imported: int
    failed: int
    product_ids: list[str]
    errors: list[ImportRowError]
    catalog_version: int | None


class BrandAliasCreate(BaseModel):
    """Another name the holder's brand goes by."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"brand": "Louis Vuitton", "alias": "LV"}]}
    )

    brand: Name
    alias: Name


class BrandAliasRead(BaseModel):
    """A registered brand alias."""

    id: str
    rights_holder_id: str
    brand: str
    alias: str
    created_at: datetime


class BrandAliasList(BaseModel):
    """Brand aliases."""

    items: list[BrandAliasRead]
