"""Decoding untrusted bytes: one normalised RGB image, or a named refusal."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from matchers.images.decode import (
    ImageTooLarge,
    NotAnImage,
    TruncatedImage,
    load_image,
)


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_sixteen_bit_grey_uses_its_whole_range() -> None:
    ramp = np.linspace(1000, 3000, 64 * 64).reshape(64, 64).astype(np.uint16)
    im = load_image(encode(Image.fromarray(ramp), "PNG"))
    assert im.mode == "RGB"
    assert im.getextrema()[0] == (0, 255)


def test_transparency_is_flattened_onto_white() -> None:
    clear = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    im = load_image(encode(clear, "PNG"))
    assert im.getpixel((4, 4)) == (255, 255, 255)


def test_exif_orientation_is_applied() -> None:
    wide = Image.new("RGB", (40, 20), (0, 128, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    im = load_image(encode(wide, "JPEG", exif=exif.tobytes()))
    assert im.size == (20, 40)


def test_cmyk_becomes_rgb() -> None:
    im = load_image(encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG"))
    assert im.mode == "RGB"


def test_draft_mode_keeps_at_least_the_requested_side() -> None:
    data = encode(Image.new("RGB", (2000, 1600), (10, 20, 30)), "JPEG")
    im = load_image(data, reduce_to=256)
    assert 256 <= min(im.size) < 1600


def test_declared_giant_is_refused_before_decoding() -> None:
    data = bomb_png(20000, 20000)
    assert len(data) < 80
    with pytest.raises(ImageTooLarge):
        load_image(data, max_pixels=50_000_000)


def test_truncated_jpeg_is_refused() -> None:
    noise = np.random.default_rng(0).integers(0, 255, (128, 128, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "JPEG", quality=95)
    with pytest.raises(TruncatedImage):
        load_image(data[: len(data) // 2])


def test_text_is_not_an_image() -> None:
    with pytest.raises(NotAnImage):
        load_image(b"this is a shipping manifest, not a photo\n" * 10)
