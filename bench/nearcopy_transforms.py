"""Edits a counterfeit listing makes to a brand's photo, for bench/images_nearcopy.py.

Each transform is deterministic given the image and a seed, so a run is
reproducible. Crops keep 90% or 75% of each side at a corner or the centre;
`crop_random` and `rot_random` use amounts and places between the fixed ones.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

WORDS = ("BEST PRICE", "100% ORIGINAL", "FREE SHIPPING", "NEW 2026", "SALE -50%", "HOT DEAL")
CORNERS = ("tl", "tr", "bl", "br")


def jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def resize(im: Image.Image, factor: float) -> Image.Image:
    size = (max(8, round(im.width * factor)), max(8, round(im.height * factor)))
    return im.resize(size, Image.Resampling.LANCZOS)


def grey(im: Image.Image) -> Image.Image:
    return ImageOps.grayscale(im).convert("RGB")


def bright(im: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Brightness(im).enhance(factor)


def caption(im: Image.Image, rng: random.Random) -> Image.Image:
    """A solid band (10-18% of the height, top or bottom) with a sales slogan on it."""
    w, h = im.size
    band = max(10, round(h * rng.uniform(0.10, 0.18)))
    y0 = 0 if rng.random() < 0.5 else h - band
    fill = rng.choice([(255, 255, 255), (0, 0, 0), (200, 20, 20), (250, 220, 0)])
    out = im.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, y0, w, y0 + band), fill=fill)
    font = ImageFont.load_default(size=max(8, int(band * 0.6)))
    ink = (0, 0, 0) if sum(fill) > 380 else (255, 255, 255)
    draw.text((w // 2, y0 + band // 2), rng.choice(WORDS), fill=ink, font=font, anchor="mm")
    return out


def crop(im: Image.Image, fraction: float, where: str) -> Image.Image:
    """Keep 1 - `fraction` of each side, anchored at a corner or the centre ('c')."""
    w, h = im.size
    kw, kh = round(w * (1 - fraction)), round(h * (1 - fraction))
    x = {"tl": 0, "bl": 0, "tr": w - kw, "br": w - kw, "c": (w - kw) // 2}[where]
    y = {"tl": 0, "tr": 0, "bl": h - kh, "br": h - kh, "c": (h - kh) // 2}[where]
    return im.crop((x, y, x + kw, y + kh))


def crop_random(im: Image.Image, rng: random.Random) -> Image.Image:
    """Remove 10-25% of width and of height (independently) at a random offset."""
    w, h = im.size
    kw, kh = round(w * (1 - rng.uniform(0.10, 0.25))), round(h * (1 - rng.uniform(0.10, 0.25)))
    x, y = rng.randint(0, w - kw), rng.randint(0, h - kh)
    return im.crop((x, y, x + kw, y + kh))


def rotate(im: Image.Image, degrees: float, fill: tuple[int, int, int] = (0, 0, 0)) -> Image.Image:
    return im.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=fill)


def pad(im: Image.Image, colour: tuple[int, int, int], rng: random.Random) -> Image.Image:
    """Letterbox (bars above and below) or pillarbox (bars left and right), 25-60% added."""
    w, h = im.size
    grow = rng.uniform(1.25, 1.6)
    if rng.random() < 0.5:
        canvas = Image.new("RGB", (w, round(h * grow)), colour)
        canvas.paste(im, (0, (canvas.height - h) // 2))
    else:
        canvas = Image.new("RGB", (round(w * grow), h), colour)
        canvas.paste(im, ((canvas.width - w) // 2, 0))
    return canvas


def transforms(im: Image.Image, seed: int) -> dict[str, Image.Image]:
    """Every edited copy of `im` the benchmark queries with, by transform name."""
    rng = random.Random(seed)
    sign = rng.choice((-1, 1))
    corner = rng.choice(CORNERS)
    flip = ImageOps.mirror
    edits: dict[str, Callable[[], Image.Image]] = {
        "jpeg_q30": lambda: jpeg(im, 30),
        "jpeg_q50": lambda: jpeg(im, 50),
        "jpeg_q70": lambda: jpeg(im, 70),
        "resize_0.3": lambda: resize(im, 0.3),
        "resize_0.5": lambda: resize(im, 0.5),
        "resize_2": lambda: resize(im, 2.0),
        "greyscale": lambda: grey(im),
        "bright+30": lambda: bright(im, 1.3),
        "bright-30": lambda: bright(im, 0.7),
        "caption": lambda: caption(im, rng),
        "crop10_corner": lambda: crop(im, 0.10, corner),
        "crop10_centre": lambda: crop(im, 0.10, "c"),
        "crop25_corner": lambda: crop(im, 0.25, corner),
        "crop25_centre": lambda: crop(im, 0.25, "c"),
        "crop_random": lambda: crop_random(im, rng),
        "rot5": lambda: rotate(im, 5 * sign),
        "rot15": lambda: rotate(im, 15 * sign),
        "rot15_white": lambda: rotate(im, -15 * sign, (255, 255, 255)),
        "rot_random": lambda: rotate(im, rng.uniform(3, 15) * rng.choice((-1, 1))),
        "hflip": lambda: flip(im),
        "pad_white": lambda: pad(im, (255, 255, 255), rng),
        "pad_black": lambda: pad(im, (0, 0, 0), rng),
        "combo_flip_resize_jpeg": lambda: jpeg(resize(flip(im), 0.6), 45),
        "combo_caption_jpeg": lambda: jpeg(caption(im, rng), 40),
        "combo_pad_grey": lambda: grey(pad(im, (255, 255, 255), rng)),
        "combo_crop10_bright": lambda: bright(crop(im, 0.10, "c"), 1.2),
        "combo_flip_pad": lambda: pad(flip(im), (0, 0, 0), rng),
    }
    return {name: make() for name, make in edits.items()}
