"""Barcodes in a photo: the GTIN an EAN/UPC, ITF-14, DataBar or a GS1 2D symbol carries.

Decoding is zxing-cpp's (a real multi-format reader, rotation and inversion tried);
this module only says which symbologies count and how a GTIN is read out of their
text: linear retail codes carry the GTIN itself, GS1 symbols (DataMatrix, QR,
GS1-128, DataBar) carry it after application identifier 01, GS1 Digital Link QR
codes in the `/01/<gtin>` path segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from matchers.features.gtin import gtin_key

__all__ = ["BarcodeRead", "read_gtin"]

_LINEAR = {
    zxingcpp.BarcodeFormat.EAN13: "EAN-13",
    zxingcpp.BarcodeFormat.UPCA: "UPC-A",
    zxingcpp.BarcodeFormat.EAN8: "EAN-8",
    zxingcpp.BarcodeFormat.ITF: "ITF-14",
}
_GS1 = {
    zxingcpp.BarcodeFormat.DataMatrix: "GS1 DataMatrix",
    zxingcpp.BarcodeFormat.QRCode: "GS1 QR Code",
    zxingcpp.BarcodeFormat.Code128: "GS1-128",
    zxingcpp.BarcodeFormat.DataBar: "GS1 DataBar",
    zxingcpp.BarcodeFormat.DataBarExp: "GS1 DataBar Expanded",
    zxingcpp.BarcodeFormat.DataBarLtd: "GS1 DataBar Limited",
}
# "(01)09506000134352…" as zxing renders GS1 element strings; raw "01…" when not bracketed.
_AI01 = re.compile(r"^(?:\(01\)|01)(\d{14})")
_DIGITAL_LINK = re.compile(r"^https?://[^/\s]+(?:/[^/\s]+)*?/01/(\d{8,14})(?:[/?#]|$)")


@dataclass(frozen=True, slots=True)
class BarcodeRead:
    """A barcode found in a photo: its symbology, its text and the GTIN it carries (14 digits)."""

    symbology: str
    text: str
    gtin: str


def _gtin_of(barcode: zxingcpp.Barcode) -> tuple[str, str] | None:
    text = barcode.text.strip()
    fmt = barcode.format
    if fmt in _LINEAR:
        if fmt == zxingcpp.BarcodeFormat.ITF and len(text) != 14:
            return None  # ITF also carries shipping and other numbers; only ITF-14 is a GTIN
        if fmt == zxingcpp.BarcodeFormat.EAN13 and len(text) == 13 and text.startswith("0"):
            return "UPC-A", text[1:]  # zxing reports a UPC-A as the EAN-13 "0" + its 12 digits
        return _LINEAR[fmt], text
    if fmt in _GS1:
        found = _AI01.match(text)
        if found is None and fmt == zxingcpp.BarcodeFormat.QRCode:
            found = _DIGITAL_LINK.match(text)
        if found is not None:
            return _GS1[fmt], found.group(1)
    return None


def read_gtin(im: Image.Image) -> BarcodeRead | None:
    """The first barcode in the image that carries a valid GTIN, or None.

    A second pass on a contrast-stretched, sharpened copy reads most labels that a
    dim or slightly blurred phone photo loses (on bench/barcodes.py: 94% -> 98%).
    """
    grey = im.convert("L")
    # Built per call: a module-level zxing object outlives the module at exit (nanobind warns).
    formats = zxingcpp.BarcodeFormats([*_LINEAR, *_GS1])
    for attempt in (grey, None):
        if attempt is None:
            attempt = ImageOps.autocontrast(grey, cutoff=1).filter(
                ImageFilter.UnsharpMask(radius=2, percent=150, threshold=2)
            )
        for barcode in zxingcpp.read_barcodes(attempt, formats=formats):
            found = _gtin_of(barcode)
            if found is None:
                continue
            symbology, number = found
            key = gtin_key(number)
            if key is not None:
                return BarcodeRead(symbology=symbology, text=barcode.text, gtin=key)
    return None
