"""A small catalogue for the engine and property tests, built from plain records."""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image

from matchers.engine import MatchIndex
from matchers.records import PriceRange, ProductRecord
from matchers.scoring import FxRate, FxRates
from tests.matchers.featurekit import ADIDAS_GTIN, NIKE_GTIN

FX = FxRates(
    (FxRate("USD", "EUR", 0.9, date(2026, 1, 1)), FxRate("EUR", "CNY", 7.8, date(2026, 1, 1)))
)

CATALOGUE = (
    ProductRecord(
        "p-nike-pegasus", "rh-nike", "Nike", "Air Zoom Pegasus 40 running shoe",
        model="DV3853-001", gtins=(NIKE_GTIN,), hs_codes=("640411",),
        price=PriceRange(120.0, 160.0, "EUR"), authorized_origins=("VN", "ID"),
        authorized_importers=("Nike Europe Holding BV",), valid_until=date(2027, 11, 30),
    ),
    ProductRecord(
        "p-nike-airmax", "rh-nike", "Nike", "Air Max 90 sneaker", model="CN8490-100",
        hs_codes=("640411",), price=PriceRange(130.0, 150.0, "EUR"),
        authorized_origins=("VN",),
    ),
    ProductRecord(
        "p-adidas-superstar", "rh-adidas", "Adidas", "Superstar leather sneaker",
        model="EG4958", gtins=(ADIDAS_GTIN,), hs_codes=("640399",),
        price=PriceRange(90.0, 110.0, "EUR"), authorized_origins=("VN", "KH"),
        authorized_importers=("Adidas Distribution GmbH",),
    ),
    ProductRecord(
        "p-lv-speedy", "rh-lv", "Louis Vuitton", "Speedy 30 monogram canvas handbag",
        model="M41108", hs_codes=("420221",), price=PriceRange(1400.0, 1700.0, "EUR"),
        authorized_origins=("FR",), brand_aliases=("LV",),
    ),
    ProductRecord(
        "p-sony-turntable", "rh-sony", "Sony", "Stereo turntable PS-LX350H belt drive",
        model="PS-LX350H", hs_codes=("851981",), price=PriceRange(150.0, 200.0, "EUR"),
    ),
)  # fmt: skip


def build_index(products: tuple[ProductRecord, ...] = CATALOGUE) -> MatchIndex:
    """A MatchIndex holding `products`."""
    index = MatchIndex()
    for p in products:
        index.upsert_product(p)
    return index


def pattern_image(seed: int, size: int = 256) -> Image.Image:
    """A textured RGB test image, different for each seed (blocks and gradients)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    im = Image.fromarray(blocks).resize((size, size), Image.Resampling.BICUBIC)
    noise = rng.integers(0, 40, size=(size, size, 3), dtype=np.uint8)
    return Image.fromarray(np.clip(np.asarray(im, dtype=np.int16) + noise, 0, 255).astype(np.uint8))


def scene_image(seed: int, size: int = 400) -> Image.Image:
    """A photo-like test scene: random filled shapes with hard corners (good local features)."""
    from PIL import ImageDraw

    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        x, y = (int(v) for v in rng.integers(0, size, 2))
        w, h = (int(v) for v in rng.integers(10, size // 4, 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=colour, outline=(0, 0, 0))
        else:
            draw.polygon([(x, y), (x + w, y + h // 3), (x + w // 2, y + h)], fill=colour)
    return im
