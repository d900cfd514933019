"""Seeded Pillow drawings for bench/scenario.py: packaging photos, fakes of them, unrelated scenes.

A product's genuine photo is its packaging: a background colour, a band, a few shapes and
the brand and product line as text. A known counterfeit copies the template with other
colours, a moved shape and a misspelt brand, as fakes do. A declared photo is a copy sent
again (resized, re-encoded as JPEG, sometimes mirrored); an unrelated photo is a scene of
shapes and gradients that shows no registered product.
"""

from __future__ import annotations

import base64
import io
import random

from PIL import Image, ImageDraw, ImageOps

SIDE = 320


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def packaging(seed: str, brand: str, line: str, *, fake: bool = False) -> Image.Image:
    """The packaging photo of a product (or, with `fake`, a counterfeit copy of its template)."""
    rng = random.Random(seed)
    background, band, ink = _colour(rng), _colour(rng), _colour(rng)
    shapes = [(_colour(rng), [rng.randrange(SIDE) for _ in range(4)]) for _ in range(5)]
    if fake:
        fake_rng = random.Random(seed + "/fake")
        background, band = _colour(fake_rng), band
        shapes[0] = (_colour(fake_rng), [fake_rng.randrange(SIDE) for _ in range(4)])
        brand = brand[:1] + brand[2:3] + brand[1:2] + brand[3:] if len(brand) > 3 else brand + "o"
    im = Image.new("RGB", (SIDE, SIDE), background)
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, SIDE // 3, SIDE, SIDE // 3 + 70], fill=band)
    for fill, (x0, y0, x1, y1) in shapes:
        box = [min(x0, x1), min(y0, y1), max(x0, x1) + 8, max(y0, y1) + 8]
        (draw.ellipse if sum(fill) % 2 else draw.rectangle)(box, fill=fill)
    draw.text((20, SIDE // 3 + 15), brand.upper(), fill=ink, font_size=34)
    draw.text((20, SIDE // 3 + 52), line, fill=ink, font_size=14)
    return im


def unrelated(seed: str) -> Image.Image:
    """A scene of gradients and polygons that shows no registered product."""
    rng = random.Random(seed)
    top, bottom = _colour(rng), _colour(rng)
    im = Image.new("RGB", (SIDE, SIDE))
    draw = ImageDraw.Draw(im)
    for y in range(SIDE):
        t = y / (SIDE - 1)
        shade = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (SIDE, y)], fill=shade)
    for _ in range(rng.randint(3, 9)):
        points = [(rng.randrange(SIDE), rng.randrange(SIDE)) for _ in range(rng.randint(3, 6))]
        draw.polygon(points, fill=_colour(rng))
    return im


def png(im: Image.Image) -> bytes:
    """The image as PNG bytes (a registered reference)."""
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def sent_again(im: Image.Image, rng: random.Random) -> str:
    """A copy as a declarant sends it: resized, re-encoded as JPEG, sometimes mirrored; base64."""
    side = rng.randint(240, 480)
    copy = im.resize((side, side))
    if rng.random() < 0.2:
        copy = ImageOps.mirror(copy)
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=rng.randint(70, 92))
    return base64.b64encode(out.getvalue()).decode("ascii")
