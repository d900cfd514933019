"""Train the shipped visual vocabulary from procedurally generated images only.

The vocabulary must not be learnt from the images it is evaluated on, and a
user's clone has no evaluation data, so it is trained on synthetic "packaging":
text, shapes and noise textures, photographed with perspective, blur and noise.
Rebuild it with `python -m matchers.images.vocab_train` (deterministic), and the photo
index's PQ codebook with `python -m matchers.images.vocab_train --codebook --images 200
--seed 11`.
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

import cv2
import faiss
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from matchers.images.local_features import decode_features, extract_features
from matchers.images.vocab import DEFAULT_CODEBOOK_PATH, DEFAULT_VOCABULARY_PATH, load_vocabulary

_WORDS = string.ascii_letters + string.digits + "%&-+.,:/"


def _texture(rng: np.random.Generator, size: int) -> Image.Image:
    """Coloured multi-scale noise: the backdrop of a package or a shelf."""
    out = np.zeros((size, size, 3), np.float32)
    for octave in (4, 16, 64):
        noise = rng.random((octave, octave, 3)).astype(np.float32)
        out += cv2.resize(noise, (size, size), interpolation=cv2.INTER_CUBIC) / 3
    base = rng.integers(0, 256, 3).astype(np.float32)
    mixed = np.clip(base * 0.6 + out * 255 * rng.uniform(0.2, 0.8), 0, 255)
    return Image.fromarray(mixed.astype(np.uint8), "RGB")


def synthetic_image(rng: np.random.Generator, *, size: int = 384) -> Image.Image:
    """A random package-like picture: text, shapes and stripes on a texture."""
    im = _texture(rng, size)
    draw = ImageDraw.Draw(im)

    def colour() -> tuple[int, int, int]:
        r, g, b = (int(v) for v in rng.integers(0, 256, 3))
        return r, g, b

    for _ in range(int(rng.integers(3, 9))):
        x0, y0 = (int(v) for v in rng.integers(-size // 4, size, 2))
        w, h = (int(v) for v in rng.integers(size // 12, size // 2, 2))
        kind = int(rng.integers(0, 4))
        box = (x0, y0, x0 + w, y0 + h)
        if kind == 0:
            draw.rectangle(box, fill=colour())
        elif kind == 1:
            draw.ellipse(box, fill=colour(), outline=colour(), width=int(rng.integers(1, 6)))
        elif kind == 2:
            pts = [(int(x), int(y)) for x, y in rng.integers(0, size, (int(rng.integers(3, 7)), 2))]
            draw.polygon(pts, fill=colour())
        else:
            for i in range(int(rng.integers(2, 8))):
                off = i * int(rng.integers(4, 14))
                draw.line((x0, y0 + off, x0 + w, y0 + off + h // 4), fill=colour(), width=3)
    for _ in range(int(rng.integers(2, 7))):
        font = ImageFont.load_default(size=int(rng.integers(12, 64)))
        text = "".join(rng.choice(list(_WORDS), int(rng.integers(3, 12))))
        pos = (int(rng.integers(0, size - 40)), int(rng.integers(0, size - 20)))
        draw.text(pos, text, fill=colour(), font=font)
    return im


def photograph(im: Image.Image, rng: np.random.Generator, *, strength: float = 1.0) -> Image.Image:
    """A photo-like view of `im`: perspective warp, scale, blur, lighting and sensor noise."""
    w, h = im.size
    pix = np.asarray(im, dtype=np.uint8)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    size = np.array([w, h], dtype=np.float32)
    jitter = rng.uniform(-0.12, 0.12, (4, 2)) * strength * size
    dst = (src * rng.uniform(0.7, 1.0) + jitter + size * 0.15).astype(np.float32)
    out_size = (int(w * 1.3), int(h * 1.3))
    warp = cv2.getPerspectiveTransform(src, dst)
    back = np.asarray(_texture(rng, max(out_size)))[: out_size[1], : out_size[0]]
    warped = cv2.warpPerspective(
        pix, warp, out_size, dst=back.copy(), borderMode=cv2.BORDER_TRANSPARENT
    )
    gain = rng.uniform(1 - 0.25 * strength, 1 + 0.15 * strength)
    noisy = warped.astype(np.float32) * gain + rng.normal(0, 4 * strength, warped.shape)
    shot = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")
    return shot.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.2) * strength)))


def training_descriptors(*, images: int, seed: int) -> np.ndarray:
    """RootSIFT descriptors of `images` synthetic pictures and photographs of them."""
    rng = np.random.default_rng(seed)
    chunks = []
    for _ in range(images):
        im = synthetic_image(rng)
        if rng.random() < 0.5:
            im = photograph(im, rng)
        chunks.append(decode_features(extract_features(im)).rootsift())
    return np.concatenate(chunks).astype(np.float32)


def train(*, words: int, images: int, seed: int) -> np.ndarray:
    """k-means centroids (unit RootSIFT-like vectors) over synthetic descriptors."""
    data = training_descriptors(images=images, seed=seed)
    faiss.omp_set_num_threads(1)
    kmeans = faiss.Kmeans(128, words, niter=12, seed=seed, max_points_per_centroid=64)
    kmeans.train(data)
    centroids = np.asarray(kmeans.centroids, dtype=np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-7)
    return centroids


def train_codebook(*, subvectors: int, images: int, seed: int) -> np.ndarray:
    """Product-quantiser centroids (subvectors, 256, 128 / subvectors) for the photo index.

    Learnt on the residuals of synthetic descriptors from their cell in the shipped
    vocabulary, on the same 0-255 scale the index stores (`local_index._scaled`).
    """
    data = training_descriptors(images=images, seed=seed)
    faiss.omp_set_num_threads(1)
    vocabulary = load_vocabulary()
    quantizer = vocabulary.quantizer(scale=255.0)
    index = faiss.IndexIVFPQ(quantizer, 128, len(vocabulary), subvectors, 8)
    index.cp.seed = seed
    index.pq.cp.seed = seed
    index.train(np.ascontiguousarray(np.clip(np.rint(data * 255.0), 0, 255), dtype=np.float32))
    centroids = faiss.vector_to_array(index.pq.centroids)
    return np.asarray(centroids, dtype=np.float32).reshape(subvectors, 256, 128 // subvectors)


def main() -> None:
    """Command line: train and write the vocabulary file (or, with --codebook, the PQ one)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=4096)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--codebook",
        action="store_true",
        help="train the index's PQ codebook instead (16 sub-vectors; use --images 200 --seed 11)",
    )
    args = parser.parse_args()
    if args.codebook:
        codebook = train_codebook(subvectors=16, images=args.images, seed=args.seed)
        out = args.out or DEFAULT_CODEBOOK_PATH
        np.save(out, codebook)
        print(f"wrote {out}: {codebook.shape} PQ centroids from {args.images} synthetic images")
        return
    args.out = args.out or DEFAULT_VOCABULARY_PATH
    centroids = train(words=args.words, images=args.images, seed=args.seed)
    np.save(args.out, centroids.astype(np.float16))
    print(f"wrote {args.out}: {centroids.shape[0]} words from {args.images} synthetic images")


if __name__ == "__main__":
    main()
