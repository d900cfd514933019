"""Barcode read rate: generated EAN-13 labels photographed as a phone would, read as a check is.

Each label is drawn with Pillow from the EAN-13 pattern tables (L, G and R codes, the
first digit's parity pattern, guards, quiet zones), printed on a package-like
texture, then "photographed": filling a third to two thirds of the frame, rotated
up to 30 degrees, perspective-warped, blurred, darkened (low light, sensor noise),
downscaled to 1600 px as the officer page does, and JPEG-compressed. Every photo
goes through the same job as `POST /v1/checks` (`catalog.checks.photo.inspect_photo`:
decode, strip, zxing-cpp).
The target is a read rate of at least 95% with the right GTIN.

    .venv/bin/python bench/barcodes.py --labels 400
"""

from __future__ import annotations

import argparse
import io
import time
from multiprocessing import Pool

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from stdnum import ean

from catalog.checks.photo import inspect_photo

L_CODES = ("0001101", "0011001", "0010011", "0111101", "0100011",
           "0110001", "0101111", "0111011", "0110111", "0001011")  # fmt: skip
PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
          "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")  # fmt: skip
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600  # the officer page downscales photos to this before upload


def _r(code: str) -> str:
    return "".join("1" if b == "0" else "0" for b in code)


def modules(digits: str) -> str:
    """The 95 modules (1 = bar) of an EAN-13, without quiet zones."""
    left = "".join(
        L_CODES[int(d)] if p == "L" else _r(L_CODES[int(d)])[::-1]
        for d, p in zip(digits[1:7], PARITY[int(digits[0])], strict=True)
    )
    right = "".join(_r(L_CODES[int(d)]) for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def label(digits: str, *, module: int) -> Image.Image:
    """A printed EAN-13 label: bars, quiet zones, the digits below."""
    bars = modules(digits)
    quiet_left, quiet_right, height = 11 * module, 7 * module, 60 * module
    im = Image.new("L", (quiet_left + len(bars) * module + quiet_right, height + 14 * module), 255)
    draw = ImageDraw.Draw(im)
    for i, bit in enumerate(bars):
        if bit == "1":
            x = quiet_left + i * module
            draw.rectangle((x, 4 * module, x + module - 1, 4 * module + height), fill=0)
    font = ImageFont.load_default(size=9 * module)
    draw.text((module, height + 4 * module), " ".join(digits), fill=0, font=font)
    return im


def photographed(im: Image.Image, rng: np.random.Generator) -> bytes:
    """The label on a package, shot by a phone: angle, perspective, blur, low light, JPEG."""
    w, h = im.size
    frame = rng.uniform(1.6, 3.0)  # the label fills a third to two thirds of the frame
    canvas = (int(w * frame), int(w * frame * 0.75))
    base = rng.integers(120, 230, 3)
    back = np.clip(base + rng.normal(0, 18, (canvas[1], canvas[0], 3)), 0, 255).astype(np.uint8)
    back = cv2.GaussianBlur(back, (0, 0), 3)
    label_rgb = np.asarray(im.convert("RGB"))
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    offset = np.float32([(canvas[0] - w) / 2, (canvas[1] - h) / 2])
    jitter = rng.uniform(-0.08, 0.08, (4, 2)).astype(np.float32) * np.float32([w, h])
    angle = np.deg2rad(rng.uniform(-30, 30))
    centre = np.float32([w / 2, h / 2])
    rot = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = ((src - centre) @ rot.T + centre + offset + jitter).astype(np.float32)
    warp = cv2.getPerspectiveTransform(src, dst)
    shot = cv2.warpPerspective(label_rgb, warp, canvas, dst=back, borderMode=cv2.BORDER_TRANSPARENT)
    light = rng.uniform(0.35, 1.0)  # low light: the whole scene darker ...
    noisy = shot.astype(np.float32) * light + rng.normal(0, 3 + 6 * (1 - light), shot.shape)
    photo = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")
    photo = photo.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 2.0))))  # focus, shake
    photo.thumbnail((MAX_SIDE, MAX_SIDE))  # what the officer page uploads
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=int(rng.integers(55, 90)))
    return out.getvalue()


def _case(i: int) -> tuple[str, bytes]:
    rng = np.random.default_rng([2026, i])
    body = "".join(str(d) for d in rng.integers(0, 10, 12))
    body = str(rng.integers(1, 10)) + body[1:]  # an EAN-13 proper, not a UPC-A
    digits = body + ean.calc_check_digit(body)
    return digits, photographed(label(digits, module=int(rng.integers(3, 8))), rng)


def _read(i: int) -> tuple[bool, float]:
    digits, jpeg = _case(i)
    started = time.perf_counter()
    found = inspect_photo(jpeg, MAX_PIXELS).barcode
    took = (time.perf_counter() - started) * 1000
    return found is not None and found.gtin == digits.zfill(14), took


def main() -> None:
    """Generate, photograph and read the labels; print the read rate and timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=int, default=400)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--save", type=int, default=0, help="write the first N photos to /tmp")
    args = parser.parse_args()
    for i in range(args.save):
        with open(f"/tmp/countermark_barcode_{i}.jpg", "wb") as fh:
            fh.write(_case(i)[1])
    with Pool(args.processes) as pool:
        results = pool.map(_read, range(args.labels), chunksize=8)
    read = sum(ok for ok, _ in results)
    times = sorted(t for _, t in results)
    print(f"EAN-13 labels photographed: {args.labels}")
    print(f"read with the right GTIN: {read} ({read / args.labels:.1%}); target >= 95%")
    print(f"per photo (decode, strip, re-encode, read): p50 {times[len(times) // 2]:.0f} ms, "
          f"p99 {times[int(len(times) * 0.99) - 1]:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
