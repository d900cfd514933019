"""Small builders shared by the API tests: valid GTINs, products, images, a registration."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from stdnum import ean

from tests.e2e.kit import png_bytes

SHOE = {
    "brand": "Nike",
    "name": "Air Zoom Pegasus 40 running shoe",
    "model": "DV3853-001",
    "gtins": ["00195866123458"],
    "hs_codes": ["640411"],
    "price": {"min": 120.0, "max": 160.0, "currency": "EUR"},
    "authorized_origins": ["VN", "ID"],
    "authorized_importers": ["Nike Europe BV"],
}


def gtin(n: int, *, length: int = 13) -> str:
    """A valid GTIN of `length` digits built from `n`."""
    body = f"{n:0{length - 1}d}"[-(length - 1) :]
    return body + ean.calc_check_digit(body)


def wrong_check_digit(value: str) -> str:
    """The same GTIN with its check digit changed."""
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def product_body(n: int = 1, **extra: Any) -> dict[str, Any]:
    """A valid product registration."""
    body: dict[str, Any] = {
        "brand": "Nike",
        "name": f"Air Zoom Pegasus {n} running shoe",
        "model": f"DV{n:04d}-001",
        "gtins": [gtin(1000 + n)],
        "description": "Road running shoe",
        "category": "footwear",
        "hs_codes": ["640411"],
        "price": {"min": 120.0, "max": 160.0, "currency": "EUR"},
        "authorized_origins": ["VN", "ID"],
        "valid_until": "2027-11-30",
    }
    body.update(extra)
    return body


def register(client: TestClient, headers: dict[str, str], **fields: Any) -> str:
    """Register `SHOE` (with `fields` changed) through the API; its id."""
    response = client.post("/v1/products", headers=headers, json={**SHOE, **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def jpeg_bytes(
    *, size: tuple[int, int] = (320, 240), colour: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    """A JPEG with some structure (a bar), so its hashes are not trivial."""
    im = Image.new("RGB", size, colour)
    for x in range(size[0] // 4, size[0] // 2):
        for y in range(size[1]):
            im.putpixel((x, y), (20, 20, 220))
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=92)
    return out.getvalue()


def jpeg_with_exif(*, orientation: int, gps: bool = True) -> bytes:
    """A 320x240 JPEG carrying an EXIF orientation tag and, optionally, GPS data."""
    im = Image.open(io.BytesIO(jpeg_bytes()))
    exif = Image.Exif()
    exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    im.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bomb(*, width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


# Unauthorised parties and origin in commercial quantity: yellow or red, and names to keep out.
SUSPECT = {
    "reference": "D-7", "description": "nike air zoom pegasus 40 mens running shoe",
    "brand": "Nike", "hs_code": "640411", "quantity": 400, "origin_country": "CN",
    "importer": "Jan Kowalski Trading", "exporter": "Shenzhen Export Co",
}  # fmt: skip


def upload_image(
    client: TestClient, headers: dict[str, str], product_id: str, image: Image.Image
) -> dict[str, Any]:
    """Upload a genuine reference image through the API; its answer."""
    response = client.post(
        f"/v1/products/{product_id}/images",
        headers=headers,
        files={"file": ("ref.png", png_bytes(image), "image/png")},
        data={"kind": "genuine"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
