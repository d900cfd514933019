"""An officer's photo made safe to keep, the barcode read from it, and its description.

The photo is decoded once, fully, with the engine's `load_image` (EXIF orientation
applied, bombs and truncated or non-image files refused) and re-encoded as a plain
JPEG: no EXIF, GPS, maker notes or other metadata survive into the blob store. The
barcode is read from the full pixels; the hashes and local features the engine
matches on are computed from the same pixels reduced to the declared-image size, so
the photo is never decoded or described a second time.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image

from catalog.core.errors import Unprocessable
from catalog.screening.declared_images import DescribedImage
from matchers.images.barcodes import BarcodeRead, read_gtin
from matchers.images.decode import ImageError, load_image

JPEG_QUALITY = 90


@dataclass(frozen=True, slots=True)
class CheckPhoto:
    """The stripped, re-encoded photo, the barcode found in it (if any) and its features."""

    data: bytes
    width: int
    height: int
    barcode: BarcodeRead | None
    described: DescribedImage | None = None


def reduced(im: Image.Image, side: int) -> Image.Image:
    """`im` shrunk by the largest integer factor that keeps its shorter side >= `side`.

    Integer box reduction, as JPEG draft decoding does, so a check's photo is
    described at about the size a screening's declared image is.
    """
    factor = max(1, math.floor(min(im.size) / side))
    return im.reduce(factor) if factor > 1 else im


def inspect_photo(raw: bytes, max_pixels: int, reduce_to: int | None = None) -> CheckPhoto:
    """Decode, strip and re-encode a photo, read any GTIN barcode in it (422 if unusable).

    With `reduce_to`, the photo is also described (hashes, local features) from its
    pixels reduced to about that size.
    """
    if not raw:
        raise Unprocessable("the photo is empty", slug="not-an-image")
    try:
        im = load_image(raw, max_pixels=max_pixels)
    except ImageError as exc:
        raise Unprocessable(str(exc), slug=exc.reason.replace("_", "-")) from exc
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    described = None
    if reduce_to is not None:
        from matchers.images.describe import describe  # the engine's module, in the worker

        desc = describe(reduced(im, reduce_to))
        described = DescribedImage(
            hashes=dict(desc.hashes), local_features=desc.local_features or None
        )
    return CheckPhoto(
        data=out.getvalue(),
        width=im.width,
        height=im.height,
        barcode=read_gtin(im),
        described=described,
    )


def tilted_views(data: bytes, max_pixels: int, reduce_to: int) -> list[tuple[float, bytes]]:
    """(direction, local features) of a kept photo (`CheckPhoto.data`) at simulated tilts.

    Asked for only when the photo as taken verified no reference (see
    `matchers.images.local_features.tilted_features`); the views are made from the
    stored evidence photo, reduced as `inspect_photo` reduces it, so they can be made again.
    """
    from matchers.images.local_features import tilted_features  # the engine's, in the worker

    return tilted_features(reduced(load_image(data, max_pixels=max_pixels), reduce_to))
