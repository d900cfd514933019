"""Bodies of the product, image, import and brand-alias endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Name
from catalog.products.validation import ProductChanges, ProductData

ImageKind = Literal["genuine", "counterfeit", "packaging", "logo"]


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
    expired: bool = Field(
        default=False,
        description="valid_until has passed: still screened against, but no longer "
        "evidence of genuine trade",
    )
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
    """What a bulk import created, updated, left unchanged and refused.

    A row is matched to a registered product by the holder's own key: its `sku` /
    `external_id` column, else a GTIN, else brand + model, else brand + name.
    """

    total: int
    imported: int = Field(description="rows stored: created + updated")
    created: int
    updated: int
    unchanged: int
    failed: int
    product_ids: list[str] = Field(description="ids of the created and updated products")
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
