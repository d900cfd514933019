"""Perceptual hashes of normalised pixels, as hex strings keyed by name.

Besides the four base hashes of the whole image, `compute_hashes` returns
variants (phash and dhash each, 64 bits) that let a Hamming index find edited
copies plain phash misses:

- ``*_flip``: the mirrored image (a flipped copy hashes like the mirror).
- ``*_trim`` / ``*_trim_flip``: after trimming uniform borders, so padded and
  letterboxed copies (and product shots on a plain background) agree.
- ``*_top`` / ``*_bottom``: the top and bottom 80%, so a caption band over the
  other 20% leaves one of them intact.
- ``*_centre``: the central 60%; ``*_rot+15`` / ``*_rot-15`` hash the same box
  after rotating by ±15°, so copies rotated by up to ~15° match one of them.
- ``*_crop_<pos><pct>``: the image cropped by 10, 20 and 30% at the centre and
  each corner, so a cropped copy matches the reference's crop.

Variants are computed on a working copy at most `WORK_SIDE` pixels a side (the
hashes look at 32x32 pixels; bigger inputs only cost time). The base keys are
computed on the pixels given, as a client computing a plain phash would (whash
and colorhash on a copy at most `SLOW_HASH_SIDE` a side, which they barely notice).
"""

from __future__ import annotations

import imagehash
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

BASE_HASHES = ("phash", "dhash", "whash", "colorhash")
WORK_SIDE = 256
# whash and colorhash cost 250-400 ms on 12 MP; above this side they see a reduced copy
SLOW_HASH_SIDE = 1024
CROP_FRACTIONS = (0.1, 0.2, 0.3)
CROP_ANCHORS = {
    "c": (0.5, 0.5),
    "tl": (0.0, 0.0),
    "tr": (1.0, 0.0),
    "bl": (0.0, 1.0),
    "br": (1.0, 1.0),
}
CAPTION_FRACTION = 0.2
CENTRE_BOX = (0.2, 0.2, 0.8, 0.8)
ROTATIONS = (15, -15)
TRIM_TOLERANCE = 24  # grey levels: JPEG ringing near a bar stays within this
TRIM_COVERAGE = 0.98  # share of a row's pixels that must match the border colour
TRIM_MIN_KEEP = 0.2  # never trim an image to less than this share of a side

Box = tuple[float, float, float, float]


def compute_hashes(im: Image.Image, *, variants: bool = True) -> dict[str, str]:
    """Compute the base perceptual hashes of `im` and, unless disabled, the edit-robust variants."""
    grey = im.convert("L")  # every hash but colorhash greys first: do it once
    small = _reduced(im.convert("RGB"), SLOW_HASH_SIDE)
    out = {
        "phash": str(imagehash.phash(grey)),
        "dhash": str(imagehash.dhash(grey)),
        "whash": str(imagehash.whash(small.convert("L"))),
        "colorhash": str(imagehash.colorhash(small)),
    }
    if variants:
        out.update(variant_hashes(grey))
    return out


def variant_hashes(im: Image.Image) -> dict[str, str]:
    """Compute the phash/dhash pairs of the flipped, trimmed, partial, rotated and cropped views."""
    work = _working_copy(im)
    views: dict[str, Image.Image] = {"flip": ImageOps.mirror(work)}
    trimmed = trim_borders(work)
    views["trim"] = trimmed
    views["trim_flip"] = ImageOps.mirror(trimmed)
    views["top"] = _region(work, (0.0, 0.0, 1.0, 1.0 - CAPTION_FRACTION))
    views["bottom"] = _region(work, (0.0, CAPTION_FRACTION, 1.0, 1.0))
    views["centre"] = _region(work, CENTRE_BOX)
    for angle in ROTATIONS:
        rotated = work.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=0)
        views[f"rot{angle:+d}"] = _region(rotated, CENTRE_BOX)
    for fraction in CROP_FRACTIONS:
        for anchor in CROP_ANCHORS:
            views[crop_name(anchor, fraction)] = _region(work, crop_box(anchor, fraction))
    out: dict[str, str] = {}
    for name, view in views.items():
        out[f"phash_{name}"] = str(imagehash.phash(view))
        out[f"dhash_{name}"] = str(imagehash.dhash(view))
    return out


def crop_name(anchor: str, fraction: float) -> str:
    """Name of the crop view at `anchor` removing `fraction` of each side, e.g. 'crop_tl20'."""
    return f"crop_{anchor}{round(fraction * 100):02d}"


def crop_box(anchor: str, fraction: float) -> Box:
    """Relative box keeping 1 - `fraction` of width and height, placed at `anchor`."""
    ax, ay = CROP_ANCHORS[anchor]
    keep = 1.0 - fraction
    x0, y0 = ax * fraction, ay * fraction
    return (x0, y0, x0 + keep, y0 + keep)


def trim_borders(im: Image.Image, *, passes: int = 3) -> Image.Image:
    """Cut uniform bars (padding, letterbox, plain background) off each side of `im`."""
    for _ in range(passes):
        pixels = np.asarray(im.convert("L"), dtype=np.int16)
        height, width = pixels.shape
        top = _uniform_run(pixels)
        bottom = _uniform_run(pixels[::-1])
        left = _uniform_run(pixels.T)
        right = _uniform_run(pixels.T[::-1])
        if top + bottom + left + right == 0:
            break
        keep_h, keep_w = height - top - bottom, width - left - right
        if keep_h < height * TRIM_MIN_KEEP or keep_w < width * TRIM_MIN_KEEP:
            break  # (nearly) uniform everywhere: nothing meaningful to trim to
        im = im.crop((left, top, width - right, height - bottom))
    return im


def _uniform_run(pixels: npt.NDArray[np.int16]) -> int:
    """Count the leading rows of grey `pixels` that share the first row's (median) level."""
    level = np.int16(np.median(pixels[0]))
    close = np.abs(pixels - level) <= TRIM_TOLERANCE
    uniform = close.mean(axis=1) >= TRIM_COVERAGE
    if uniform.all():
        return int(uniform.size)
    return int(np.argmin(uniform))


def _working_copy(im: Image.Image) -> Image.Image:
    # Every hash greys the pixels first, so one grey copy serves all the views.
    return _reduced(im.convert("L"), WORK_SIDE)


def _reduced(im: Image.Image, side: int) -> Image.Image:
    if max(im.size) <= side:
        return im
    scale = side / max(im.size)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    factor = int(1 / (2 * scale))
    if factor > 1:  # a box reduction first: LANCZOS over a 12 MP image alone costs ~0.5 s
        im = im.reduce(factor)
    return im.resize(size, Image.Resampling.LANCZOS)


def _region(im: Image.Image, box: Box) -> Image.Image:
    w, h = im.size
    x0, y0, x1, y1 = box
    left, top = round(x0 * w), round(y0 * h)
    right, bottom = max(left + 1, round(x1 * w)), max(top + 1, round(y1 * h))
    return im.crop((left, top, right, bottom))
