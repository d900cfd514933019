"""Declared images: their base64 payload decoded, their pixels described for the engine.

`describe_bytes` is CPU work of tens of milliseconds a photo: it runs in the
process's image pool (catalog/core/pool.py), never on the event loop.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

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


__all__ = ["BadImageDataError", "DescribedImage", "ImageError", "decode_base64", "describe_bytes"]
