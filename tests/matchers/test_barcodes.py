"""Barcodes: which symbologies carry a GTIN and how it is read out of their text."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageFilter

from matchers.images.barcodes import read_gtin


def _label(content: str, fmt: zxingcpp.BarcodeFormat) -> Image.Image:
    symbol = Image.fromarray(np.array(zxingcpp.create_barcode(content, fmt).to_image(scale=4)))
    label = Image.new("L", (symbol.width + 80, symbol.height + 80), 255)
    label.paste(symbol.convert("L"), (40, 40))
    return label.convert("RGB")


@pytest.mark.parametrize(
    ("content", "fmt", "symbology", "gtin"),
    [
        ("036000291452", zxingcpp.BarcodeFormat.UPCA, "UPC-A", "00036000291452"),
        ("96385074", zxingcpp.BarcodeFormat.EAN8, "EAN-8", "00000096385074"),
        ("10012345678902", zxingcpp.BarcodeFormat.ITF, "ITF-14", "10012345678902"),
        ("(01)09506000134352(10)AB1", zxingcpp.BarcodeFormat.Code128, "GS1-128", "09506000134352"),
    ],
)
def test_retail_and_gs1_codes_give_their_gtin(
    content: str, fmt: zxingcpp.BarcodeFormat, symbology: str, gtin: str
) -> None:
    found = read_gtin(_label(content, fmt))
    assert found is not None
    assert (found.symbology, found.gtin) == (symbology, gtin)


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        ("hello officer", zxingcpp.BarcodeFormat.QRCode),  # a QR code without a GTIN
        ("(01)09506000134353", zxingcpp.BarcodeFormat.DataMatrix),  # wrong check digit
        ("123456", zxingcpp.BarcodeFormat.ITF),  # ITF that is not an ITF-14
    ],
)
def test_codes_without_a_valid_gtin_give_none(content: str, fmt: zxingcpp.BarcodeFormat) -> None:
    assert read_gtin(_label(content, fmt)) is None


def test_a_dim_blurred_label_is_still_read() -> None:
    label = _label("4006381333931", zxingcpp.BarcodeFormat.EAN13)
    dim = Image.eval(label, lambda v: 60 + v // 4).filter(ImageFilter.GaussianBlur(1.5))
    found = read_gtin(dim)
    assert found is not None
    assert found.gtin == "04006381333931"
