"""The engine in this process, built as the service builds it, from any checkout.

`load(checkout)` puts the checkout first on sys.path and returns a `LocalEngine` that turns
the JSON bodies a client sends (POST /v1/products, images, POST /v1/screenings) into the
engine's records with the catalogue's own code (ProductData validation, `product_columns`,
`record_from_facts`, `prepare_image`, `describe_bytes`), keeps a `MatchIndex` and calls
`assess` with the service's default thresholds. Shared by bench/text_accuracy_http.py and
bench/scenario.py, so both measure `assess` and HTTP on the same records.
"""

from __future__ import annotations

import base64
import importlib
import sys
from datetime import date
from pathlib import Path
from typing import Any


class LocalEngine:
    """A MatchIndex fed with client bodies, and `assess` on declaration bodies."""

    def __init__(self, checkout: Path) -> None:
        sys.path.insert(0, str(checkout))
        self.engine = importlib.import_module("matchers.engine")
        self.records = importlib.import_module("matchers.records")
        self.validation = importlib.import_module("catalog.products.validation")
        self.service = importlib.import_module("catalog.products.service")
        self.engine_records = importlib.import_module("catalog.index.engine_records")
        self.images = importlib.import_module("catalog.products.images")
        self.declared = importlib.import_module("catalog.screening.declared_images")
        settings = importlib.import_module("catalog.core.settings").Settings()
        self.max_pixels = int(settings.declared_image_max_pixels)
        self.reduce_to = int(settings.image_reduce_to)
        self.reference_max_pixels = int(settings.max_image_pixels)
        self.index = self.engine.MatchIndex()

    def add_product(self, product_id: str, holder_id: str, body: dict[str, Any]) -> None:
        """Register a product body (as POSTed) under an id."""
        data = self.validation.ProductData.model_validate(body)
        values = self.service.product_columns(
            data.model_dump(exclude_unset=False) | {"price": data.price}
        )
        facts = values | {"id": product_id, "rights_holder_id": holder_id}
        record = self.engine_records.record_from_facts(facts, aliases={})
        self.index.upsert_product(record)

    def add_image(self, image_id: str, product_id: str, raw: bytes, kind: str) -> None:
        """Register a reference image (file bytes, as uploaded)."""
        prepared = self.images.prepare_image(raw, max_pixels=self.reference_max_pixels)
        record = self.records.ImageRecord(
            image_id=image_id,
            product_id=product_id,
            kind=kind,
            hashes=dict(prepared.hashes),
            local_features=prepared.local_features,
        )
        self.index.upsert_image(record)

    def declaration(self, body: dict[str, Any], today: date) -> Any:
        """The engine's Declaration for a screening request body."""
        rec = self.records
        images = []
        for image in body.get("images", []):
            if "data" in image:
                raw = base64.b64decode(image["data"])
                described = self.declared.describe_bytes(
                    raw, max_pixels=self.max_pixels, reduce_to=self.reduce_to
                )
                images.append(rec.DeclaredImage(described.hashes, described.local_features))
            else:
                images.append(rec.DeclaredImage({"phash": image["phash"]}))
        unit = body.get("unit_value")
        declared_on = body.get("declared_on")
        return rec.Declaration(
            description=body["description"],
            brand=body.get("brand"),
            hs_code=body.get("hs_code"),
            gtin=body.get("gtin"),
            quantity=body.get("quantity"),
            unit_value=rec.Money(float(unit["amount"]), unit["currency"]) if unit else None,
            origin_country=body.get("origin_country"),
            exporter=body.get("exporter"),
            importer=body.get("importer"),
            images=tuple(images),
            declared_on=date.fromisoformat(declared_on) if declared_on else today,
        )

    def assess(self, body: dict[str, Any], today: date) -> Any:
        """`assess` one screening request body with the default weights and thresholds."""
        return self.engine.assess(self.declaration(body, today), index=self.index, today=today)


def load(checkout: Path) -> LocalEngine:
    """The engine of `checkout`, imported in this process."""
    return LocalEngine(checkout.resolve())
