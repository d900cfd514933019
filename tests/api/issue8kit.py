"""A catalogue registered the way a user registers it, for the cases of issue 8.

Three rights holders (Nike, Adidas, Tropicana) and a few brands that are also words
(Apple, Gap, Godiva for "goods") and a
watchmaker, each registering products through `POST /v1/products`
with price ranges, authorised origins, importers and exporters, HS codes and GTINs, and
reference images through `POST /v1/products/{id}/images`: a genuine packaging photo and,
for some, a known counterfeit that copies its template. `screen` sends a declaration
through `POST /v1/screenings` as a customs key does.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageOps

from tests.api.helpers import gtin
from tests.conftest import HolderFactory, KeyFactory

PEGASUS_GTIN = "00195866123458"
AIRMAX_GTIN = gtin(1950)
ULTRABOOST_GTIN = gtin(4066748_17103)
JUICE_GTIN = gtin(48500_00104)
IPHONE_GTIN = gtin(1942_5304, length=12)

PRODUCTS: dict[str, dict[str, Any]] = {
    "pegasus": {
        "brand": "Nike", "name": "Air Zoom Pegasus 40 running shoe", "model": "DV3853-001",
        "gtins": [PEGASUS_GTIN], "description": "Road running shoe", "category": "footwear",
        "hs_codes": ["640411"], "price": {"min": 120.0, "max": 160.0, "currency": "EUR"},
        "authorized_origins": ["VN", "ID"], "authorized_importers": ["Nike Europe Holding BV"],
        "authorized_exporters": ["Nike Vietnam Co"],
    },
    "airmax": {
        "brand": "Nike", "name": "Air Max 90 sneaker", "model": "CN8490-100",
        "gtins": [AIRMAX_GTIN], "category": "footwear", "hs_codes": ["640411"],
        "price": {"min": 130.0, "max": 160.0, "currency": "EUR"},
        "authorized_origins": ["VN"], "authorized_importers": ["Nike Europe Holding BV"],
    },
    "ultraboost": {
        "brand": "Adidas", "name": "Ultraboost 22 running shoe", "model": "GX3062",
        "gtins": [ULTRABOOST_GTIN], "category": "footwear", "hs_codes": ["640411"],
        "price": {"min": 160.0, "max": 190.0, "currency": "EUR"},
        "authorized_origins": ["VN", "KH"],
        "authorized_importers": ["Adidas Distribution GmbH", "Adidas Benelux BV"],
    },
    "juice": {
        "brand": "Tropicana", "name": "Tropicana Apple Juice 1 L", "gtins": [JUICE_GTIN],
        "description": "Pure pressed apple juice, not from concentrate", "category": "beverages",
        "hs_codes": ["200971"], "price": {"min": 2.0, "max": 4.0, "currency": "EUR"},
        "authorized_origins": ["BE", "FR"], "authorized_importers": ["Tropicana Europe NV"],
    },
    "iphone": {
        "brand": "Apple", "name": "iPhone 15 128 GB smartphone", "model": "A3090",
        "gtins": [IPHONE_GTIN], "category": "electronics", "hs_codes": ["851713"],
        "price": {"min": 700.0, "max": 900.0, "currency": "EUR"},
        "authorized_origins": ["CN", "IN"],
    },
    "hoodie": {
        "brand": "Gap", "name": "Gap Logo fleece hoodie", "category": "clothing",
        "hs_codes": ["611030"], "price": {"min": 30.0, "max": 60.0, "currency": "EUR"},
        "authorized_origins": ["BD", "VN"],
    },
    "godiva": {
        "brand": "Godiva", "name": "Godiva Gold Collection chocolate truffles 24 pieces",
        "category": "food", "hs_codes": ["180690"],
        "price": {"min": 25.0, "max": 40.0, "currency": "EUR"}, "authorized_origins": ["BE"],
    },
    "watch": {
        "brand": "Tissot", "name": "PRX Powermatic 80 automatic watch", "model": "T137.407",
        "category": "watches", "hs_codes": ["910221"],
        "price": {"min": 600.0, "max": 800.0, "currency": "EUR"}, "authorized_origins": ["CH"],
    },
}  # fmt: skip

HOLDERS = {"Nike": ("pegasus", "airmax"), "Adidas": ("ultraboost",), "Tropicana": ("juice",)}
HOLDERS |= {"Apple": ("iphone",), "Gap": ("hoodie",), "Godiva": ("godiva",), "Tissot": ("watch",)}


def package(moved: int = 0, brand: str = "NIKE", *, colours: int = 0) -> Image.Image:
    """A packaging photo on one brand template: a band with the brand, an ellipse moved by
    `moved` (a sibling package of the range), other colours with `colours`."""
    base = (200, 30, 30) if not colours else (30, 120, 200)
    im = Image.new("RGB", (320, 320), base)
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 106, 320, 176], fill=(20, 40, 160))
    draw.ellipse([30 + moved, 20, 120 + moved, 80], fill=(240, 200, 30))
    draw.rectangle([200, 220, 300, 300], fill=(30, 160, 60))
    draw.rectangle([20, 220, 90, 300], fill=(250, 250, 250))
    draw.text((20, 121), brand, fill=(255, 255, 255), font_size=34)
    return im


def juice_carton() -> Image.Image:
    """Tropicana's registered packaging photo (its own template)."""
    im = Image.new("RGB", (320, 320), (250, 160, 20))
    draw = ImageDraw.Draw(im)
    draw.ellipse([90, 40, 230, 180], fill=(200, 20, 30))
    draw.rectangle([0, 210, 320, 260], fill=(20, 110, 40))
    draw.rectangle([240, 20, 300, 90], fill=(250, 250, 250))
    draw.text((20, 220), "TROPICANA", fill=(255, 255, 255), font_size=30)
    return im


def png(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def sent(im: Image.Image, *, mirrored: bool = False, side: int = 400) -> dict[str, str]:
    """A declared image as a declarant sends it: resized, JPEG, perhaps mirrored."""
    copy = im.resize((side, side))
    if mirrored:
        copy = ImageOps.mirror(copy)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85)
    return {"data": base64.b64encode(out.getvalue()).decode("ascii")}


@dataclass
class Catalogue:
    """The registered catalogue: product ids by key, and a customs key to screen with."""

    client: TestClient = field(repr=False)
    customs: dict[str, str] = field(repr=False)  # a key: kept out of failure reports
    ids: dict[str, str] = field(default_factory=dict)

    def screen(self, **declaration: Any) -> dict[str, Any]:
        """The screening answer for `declaration` (201 checked)."""
        response = self.client.post("/v1/screenings", headers=self.customs, json=declaration)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


def upload(
    client: TestClient, headers: dict[str, str], product_id: str, im: Image.Image, kind: str
) -> None:
    response = client.post(
        f"/v1/products/{product_id}/images",
        headers=headers,
        files={"file": ("ref.png", png(im), "image/png")},
        data={"kind": kind},
    )
    assert response.status_code == 201, response.text


def register_catalogue(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory
) -> Catalogue:
    """Every holder registers its products and reference images through the API."""
    ids: dict[str, str] = {}
    for holder, keys in HOLDERS.items():
        _, headers = make_holder(holder)
        for key in keys:
            response = client.post("/v1/products", headers=headers, json=PRODUCTS[key])
            assert response.status_code == 201, response.text
            ids[key] = str(response.json()["id"])
        if holder == "Nike":  # the Air Max: a genuine photo and a fake on its template
            upload(client, headers, ids["airmax"], package(0), "genuine")
            upload(client, headers, ids["airmax"], package(-30, "NKIE"), "counterfeit")
        if holder == "Tropicana":
            upload(client, headers, ids["juice"], juice_carton(), "genuine")
    return Catalogue(client, make_key("customs"), ids)


def signals(body: dict[str, Any], product_id: str | None = None) -> dict[str, dict[str, Any]]:
    """The top match's signals (or those of the match of `product_id`) by name."""
    for match in body["matches"]:
        if product_id is None or match["product_id"] == product_id:
            return {s["name"]: s for s in match["signals"]}
    return {}


def sentences(body: dict[str, Any]) -> list[str]:
    """Every sentence of an answer: top level and every match's."""
    said = [s["detail"] for s in body["signals"]]
    return said + [s["detail"] for m in body["matches"] for s in m["signals"]]
