"""Builders for the check tests: a product with reference images, phone photos, barcodes."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from matchers.images.vocab_train import photograph, synthetic_image

PRODUCT_GTIN = "4006381333931"  # a valid EAN-13 (no leading zero: not a UPC-A)
GPS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}


def packshot(seed: int) -> Image.Image:
    """A product's catalogue picture (text and shapes on a texture)."""
    return synthetic_image(np.random.default_rng([2027, seed]), size=384)


def phone_photo(seed: int, *, shot: int = 1) -> Image.Image:
    """A new photo of the product `seed`: perspective, scale, blur, lighting, noise."""
    return photograph(packshot(seed), np.random.default_rng([7, seed, shot]), strength=0.6)


def jpeg(im: Image.Image, *, gps: bool = False) -> bytes:
    """JPEG bytes, with EXIF GPS tags and a camera model when `gps`."""
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x0110] = "Officer Phone 9"  # camera model
        exif[0x8825] = GPS
        im.save(out, format="JPEG", quality=92, exif=exif.tobytes())
    else:
        im.save(out, format="JPEG", quality=92)
    return out.getvalue()


def barcode_photo(content: str, fmt: zxingcpp.BarcodeFormat, *, angle: float = 8.0) -> bytes:
    """A label carrying one barcode, slightly rotated on a light background, as JPEG."""
    symbol = Image.fromarray(np.array(zxingcpp.create_barcode(content, fmt).to_image(scale=4)))
    label = Image.new("L", (symbol.width + 120, symbol.height + 120), 250)
    label.paste(symbol.convert("L"), (60, 60))
    rotated = label.rotate(angle, expand=True, fillcolor=235).convert("RGB")
    return jpeg(rotated)


def product_fields(**extra: Any) -> dict[str, Any]:
    """A registration with a checklist an officer can tick."""
    body: dict[str, Any] = {
        "brand": "Lumora",
        "name": "Lumora Glow face cream 50 ml",
        "gtins": [PRODUCT_GTIN],
        "authenticity_features": ["hologram seal on the lid", "batch code laser-etched"],
        "counterfeit_indicators": ["printed batch code", "misspelt 'Lumora'"],
    }
    body.update(extra)
    return body


def register_with_image(
    client: TestClient, headers: dict[str, str], *, seed: int, **extra: Any
) -> tuple[str, str]:
    """Register a product and upload its genuine packshot; (product id, image id)."""
    response = client.post("/v1/products", headers=headers, json=product_fields(**extra))
    assert response.status_code == 201, response.text
    product_id = str(response.json()["id"])
    upload = client.post(
        f"/v1/products/{product_id}/images",
        headers=headers,
        files={"file": ("p.jpg", jpeg(packshot(seed)), "image/jpeg")},
        data={"kind": "genuine"},
    )
    assert upload.status_code == 201, upload.text
    return product_id, str(upload.json()["id"])
