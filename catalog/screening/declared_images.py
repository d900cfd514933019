"""Declared images: their base64 payload decoded, their pixels described for the engine.

`describe_bytes` is CPU work of tens of milliseconds a photo: it runs in the
process's image pool (catalog/core/pool.py), never on the event loop.

Before any of it, `check_pixel_budget` reads only the images' headers (microseconds)
and refuses a request whose images would decode to more pixels in total than one
request may have (413): eight 36 MP PNGs compress into a few hundred KiB.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image

from catalog.core.errors import ContentTooLarge
from matchers.images.decode import ImageError, load_image


class BadImageDataError(ValueError):
    """The `data` of a declared image is not valid base64."""


@dataclass(frozen=True, slots=True)
class DescribedImage:
    """The features of one declared image, as the engine and the stored record need them."""

    hashes: dict[str, str]
    local_features: bytes | None


def decode_base64(data: str) -> bytes:
    """Decode a base64 (standard or URL-safe, padding optional) image payload."""
    cleaned = "".join(data.split())
    if cleaned.startswith("data:") and "," in cleaned:  # accept a data: URL as browsers make it
        cleaned = cleaned.split(",", 1)[1]
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadImageDataError("image `data` is not valid base64") from exc


def describe_bytes(data: bytes, *, max_pixels: int, reduce_to: int) -> DescribedImage:
    """Decode image bytes and compute every feature the engine uses (raises ImageError)."""
    from matchers.images.describe import describe  # the engine's module; imported in the worker

    im = load_image(data, max_pixels=max_pixels, reduce_to=reduce_to)
    desc = describe(im)
    return DescribedImage(hashes=dict(desc.hashes), local_features=desc.local_features or None)


def decoded_pixels(data: bytes, *, reduce_to: int | None) -> int:
    """How many pixels decoding `data` as `load_image` does would produce, from its header
    alone (with `reduce_to`, JPEGs decode reduced in draft mode; None: a full decode); 0 if
    the header cannot be read (the decode then says why)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as im:
                if im.format == "JPEG" and reduce_to is not None:
                    im.draft("RGB", (reduce_to, reduce_to))
                width, height = im.size
        except Exception:
            return 0
    return max(width, 0) * max(height, 0)


def check_pixel_budget(payloads: Iterable[bytes], *, budget: int, reduce_to: int | None) -> int:
    """The request's total decoded pixels; ContentTooLarge (413) if over `budget`."""
    payloads = list(payloads)
    total = 0
    for data in payloads:
        total += decoded_pixels(data, reduce_to=reduce_to)
        if total > budget:
            what, advice = (
                ("this image would decode", "send a smaller image")
                if len(payloads) == 1
                else (
                    "the images of this request would decode",
                    "send fewer or smaller images, or their precomputed hashes",
                )
            )
            raise ContentTooLarge(
                f"{what} to more than {budget:,} pixels in total, the most one request "
                f"may have; {advice}",
                slug="image-pixel-budget",
            )
    return total


__all__ = [
    "BadImageDataError",
    "DescribedImage",
    "ImageError",
    "check_pixel_budget",
    "decode_base64",
    "decoded_pixels",
    "describe_bytes",
]
