"""An officer's photo made safe to keep, and the barcode read from it (run in the image pool).

The photo is decoded fully with the engine's `load_image` (EXIF orientation applied,
bombs and truncated or non-image files refused) and re-encoded as a plain JPEG:
no EXIF, GPS, maker notes or other metadata survive into the blob store.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from catalog.core.errors import Unprocessable
from matchers.images.barcodes import BarcodeRead, read_gtin
from matchers.images.decode import ImageError, load_image

JPEG_QUALITY = 90


@dataclass(frozen=True, slots=True)
class CheckPhoto:
    """The stripped, re-encoded photo and the barcode found in it (if any)."""

    data: bytes
    width: int
    height: int
    barcode: BarcodeRead | None


def inspect_photo(raw: bytes, max_pixels: int) -> CheckPhoto:
    """Decode, strip and re-encode a photo and read any GTIN barcode in it (422 if unusable)."""
    if not raw:
        raise Unprocessable("the photo is empty", slug="not-an-image")
    try:
        im = load_image(raw, max_pixels=max_pixels)
    except ImageError as exc:
        raise Unprocessable(str(exc), slug=exc.reason.replace("_", "-")) from exc
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CheckPhoto(data=out.getvalue(), width=im.width, height=im.height, barcode=read_gtin(im))
