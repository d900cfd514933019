"""Small builders shared by the feature, scoring and engine tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from matchers.brands.index import BrandHit
from matchers.features.context import CandidateContext
from matchers.records import Declaration, PriceRange, ProductRecord

TODAY = date(2026, 11, 27)
NIKE_GTIN = "00195866123458"
ADIDAS_GTIN = "4006381333931"  # a valid EAN-13

Candidate = Callable[..., CandidateContext]
"""The `candidate` fixture: a feature context built from keyword arguments."""


def product(**changes: Any) -> ProductRecord:
    """A registered Nike running shoe; keyword arguments override any field."""
    base: dict[str, Any] = {
        "product_id": "p-nike-1",
        "rights_holder_id": "rh-nike",
        "brand": "Nike",
        "name": "Air Zoom Pegasus 40 running shoe",
        "model": "DV3853-001",
        "gtins": (NIKE_GTIN,),
        "hs_codes": ("640411",),
        "price": PriceRange(120.0, 160.0, "EUR"),
        "authorized_origins": ("VN", "ID"),
        "authorized_importers": ("Nike Europe Holding BV",),
        "authorized_exporters": ("Nike Vietnam Co Ltd",),
        "valid_until": date(2027, 11, 30),
    }
    base.update(changes)
    return ProductRecord(**base)


def declaration(**changes: Any) -> Declaration:
    """A plain declaration of running shoes; keyword arguments override any field."""
    base: dict[str, Any] = {"description": "mens running shoes"}
    base.update(changes)
    return Declaration(**base)


def brand_hit(brand: str, kind: str, score: float, text: str, evidence: str = "") -> BrandHit:
    """A brand index hit, as plain data."""
    return BrandHit(brand, (f"rh-{brand.casefold()}",), kind, score, text, evidence)  # type: ignore[arg-type]
