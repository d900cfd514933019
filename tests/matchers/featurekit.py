"""Small builders shared by the feature, scoring and engine tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from matchers.records import Declaration, PriceRange, ProductRecord

TODAY = date(2026, 11, 27)


def product(**changes: Any) -> ProductRecord:
    """A registered Nike running shoe; keyword arguments override any field."""
    base: dict[str, Any] = {
        "product_id": "p-nike-1",
        "rights_holder_id": "rh-nike",
        "brand": "Nike",
        "name": "Air Zoom Pegasus 40 running shoe",
        "model": "DV3853-001",
        "gtins": ("00195866123458",),
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
