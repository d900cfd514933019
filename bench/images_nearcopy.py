"""Near-copy matching: match rate per edit at <= 1% false positives, search speed, extraction time.

References (indexed): the 10 ukbench base photos and the iconic image and natural photos of
every other grocery product (sorted names, even positions). Held out (never indexed): the
iconic image and natural photos of the other products, so a hit on their copies is false for
the photo verifier too. Every image is edited by bench/nearcopy_transforms.py
(27 edits) and each copy is re-encoded as JPEG q92 and decoded with load_image, as a listing
would arrive. Positives are edits of references (a match = the true reference ranked first);
negatives are edits of held-out images (a false positive = any hit). Also printed: plain phash
at its own 1%-false-positive threshold (the baseline), phash-only queries (what a customs
system sending only a phash gets), the photo verifier for what hashes miss (when
matchers/images/photo.py exists), search time at 1M hashes, and describe() time on 12 MP.

    .venv/bin/python bench/images_nearcopy.py [--data DIR] [--limit N] [--scale 1000000]
        [--photo-every 12] [--speed-only]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nearcopy_transforms import transforms

from matchers.images.decode import ImageError, load_image
from matchers.images.hashes import compute_hashes, variant_hashes
from matchers.images.nearcopy import NearCopyHit, NearCopyIndex

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GIVEN = {"gray": "given_grey", "hflip": "given_hflip", "resize": "given_resize"}
GIVEN_ROTATION = "given_rotation_30deg_zoom"
PhotoSearch = Callable[[Image.Image], list[str]]
UNRELATED, SIBLING = "-unrelated", "-sibling"  # held-out photos; held-out catalogue images


def as_listing(im: Image.Image) -> Image.Image:
    """Re-encode as a JPEG listing image and decode it the way the service does."""
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92)
    return load_image(buf.getvalue(), reduce_to=512)


def split(root: Path) -> tuple[list[Path], list[Path]]:
    """(references, held-out images) as described in the module docstring."""
    grocery = root / "images" / "grocery_store"
    photos = sorted((grocery / "iconic").glob("*.jpg")) + sorted(
        (grocery / "natural").glob("*.jpg")
    )
    classes = sorted({p.name.rsplit("_", 1)[0] for p in photos})
    held = set(classes[1::2])  # whole products held out: none of their images is indexed
    refs = sorted((root / "images" / "imagededup_ukbench" / "base").glob("*.jpg"))
    refs += [p for p in photos if p.name.rsplit("_", 1)[0] not in held]
    return refs, [p for p in photos if p.name.rsplit("_", 1)[0] in held]


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """p50 and p99 of `runs` calls of `fn`, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


@dataclass(frozen=True)
class Query:
    """One edited copy: its edit, the reference it copies (or a held-out kind), what it yields."""

    edit: str
    truth: str  # the reference it copies, or UNRELATED / SIBLING for a held-out image
    hashes: dict[str, str]
    photo: list[str] | None  # photo verifier's hits; None when not run for this image


def index_hashes(im: Image.Image) -> dict[str, str]:
    """compute_hashes without whash and colorhash (the index never reads them; half the time)."""
    grey = im.convert("L")
    hashes = {"phash": str(imagehash.phash(grey)), "dhash": str(imagehash.dhash(grey))}
    return hashes | variant_hashes(grey)


def queries(
    refs: list[Path], held: list[Path], root: Path, photo: PhotoSearch | None, photo_every: int
) -> list[Query]:
    """Every edited copy of every image, hashed (and photo-searched for every Nth image)."""
    out = []
    for k, path in enumerate(refs + held):
        truth = path.stem if path in refs else SIBLING if "_Iconic" in path.stem else UNRELATED
        im = load_image(path.read_bytes())
        verify = photo if photo is not None and k % photo_every == 0 else None
        for name, edited in transforms(im, zlib.crc32(path.name.encode())).items():
            listing = as_listing(edited)
            hits = verify(listing) if verify is not None else None
            out.append(Query(name, truth, index_hashes(listing), hits))
    given = root / "images" / "imagededup_ukbench" / "transformed"
    for path in sorted(given.glob("*.jpg")):
        stem, _, kind = path.stem.rpartition("_")
        try:
            im = load_image(path.read_bytes())
        except ImageError as exc:
            print(f"  {path.name}: rejected by load_image ({exc.reason}), as it should be")
            continue
        listing = as_listing(im)
        hits = photo(listing) if photo is not None else None
        out.append(Query(GIVEN.get(kind, GIVEN_ROTATION), stem, index_hashes(listing), hits))
    return out


def photo_stage(refs: list[Path]) -> PhotoSearch | None:
    """The photo verifier over the references, or None while matchers/images/photo.py is absent."""
    try:
        from matchers.images.photo import PhotoIndex, extract_features

        index = PhotoIndex()
    except (ImportError, OSError) as exc:  # absent, or its vocabulary not built yet
        print(f"photo verifier unavailable: {exc}")
        return None
    for path in refs:
        index.add(path.stem, extract_features(load_image(path.read_bytes())))
    return lambda im: [hit.image_id for hit in index.search(extract_features(im), limit=3)]


Results = list[tuple[str, str, list[str]]]  # (edit, truth as in Query, hit ids)


def table(columns: dict[str, Results], order: list[str]) -> None:
    """Print the false-positive rate and, per edit, the top-1 match rate of each column."""
    print("\n" + " " * 26 + "".join(f"{label:>16s}" for label in columns))
    rates: dict[str, dict[str, str]] = {}
    fps: dict[str, list[str]] = {}
    for label, results in columns.items():
        pos: dict[str, list[bool]] = defaultdict(list)
        for kind in (UNRELATED, SIBLING):
            neg = [bool(ids) for _, truth, ids in results if truth == kind]
            fps.setdefault(kind, []).append(f"{100 * np.mean(neg):.2f}% of {len(neg)}")
        for name, truth, ids in results:
            if truth not in (UNRELATED, SIBLING):
                pos[name].append(bool(ids) and ids[0] == truth)
        rates[label] = {name: f"{100 * np.mean(v):.1f}% of {len(v)}" for name, v in pos.items()}
    for kind, cells in fps.items():
        print(f"  {'FALSE POS. ' + kind[1:]:24s}" + "".join(f"{fp:>16s}" for fp in cells))
    for name in order:
        cells = [rates[label].get(name, "-") for label in columns]
        print(f"  {name:24s}" + "".join(f"{cell:>16s}" for cell in cells))


def baseline_phash(index_hashes: dict[str, dict[str, str]], qs: list[Query]) -> tuple[int, Results]:
    """Plain phash nearest reference, at the largest threshold keeping negatives <= 1%."""
    ids = sorted(index_hashes)
    table = np.array([int(index_hashes[i]["phash"], 16) for i in ids], dtype=np.uint64)
    nearest = []
    for q in qs:
        dist = np.bitwise_count(table ^ np.uint64(int(q.hashes["phash"], 16)))
        best = int(np.argmin(dist))
        nearest.append((q.edit, q.truth, ids[best], int(dist[best])))
    neg = np.array([d for _, truth, _, d in nearest if truth == UNRELATED])
    threshold = max(t for t in range(65) if np.mean(neg <= t) <= 0.01)
    return threshold, [(n, t, [i] if d <= threshold else []) for n, t, i, d in nearest]


def speed(scale: int, sample: dict[str, str]) -> None:
    """Search time over `scale` random 64-bit hashes, beside a numpy scan in the same process."""
    rng = np.random.default_rng(7)
    hexes = [f"{v:016x}" for v in rng.integers(0, 2**63, size=(scale, 2), dtype=np.uint64).flat]
    index = NearCopyIndex()
    start = time.perf_counter()
    for k in range(scale):
        index.add(f"r{k}", {"phash": hexes[2 * k], "dhash": hexes[2 * k + 1]})
    build = time.perf_counter() - start
    phash_only = {"phash": sample["phash"]}
    table = index._tables["whole"].phash[:scale]
    q = np.uint64(int(sample["phash"], 16))

    def numpy_scan() -> np.ndarray:
        return np.flatnonzero(np.bitwise_count(table ^ q) <= 12)

    for label, fn in (
        ("phash-only query (faiss, 1 thread)", lambda: index.search(phash_only)),
        ("full query (all rules; only 'whole' rows)", lambda: index.search(sample)),
        ("baseline numpy bitwise_count scan", numpy_scan),
    ):
        p50, p99 = timed(fn, 200)
        print(f"  {label:44s} p50 {p50:6.3f} ms  p99 {p99:6.3f} ms")
    print(f"  build: {scale} adds in {build:.1f} s ({1e6 * build / scale:.1f} us per image)")
    rows = scale // 24  # as many hash rows as the first index, spread over all the variants
    full = NearCopyIndex()
    for k in range(rows):
        full.add(f"r{k}", {key: f"{rng.integers(0, 2**63):016x}" for key in sample})
    n_rows = sum(t.size for t in full._tables.values())
    p50, p99 = timed(lambda: full.search(sample), 100)
    print(
        f"  {rows} images x {n_rows // rows} variant rows = {n_rows} rows, full query:"
        f" p50 {p50:.3f} ms  p99 {p99:.3f} ms"
    )


def extraction(root: Path) -> None:
    """describe() on a 12 MP JPEG, decoded with and without load_image's reduce_to."""
    from matchers.images.describe import describe
    from matchers.images.photo import extract_features

    src = load_image((root / "images/imagededup_ukbench/base/ukbench00120.jpg").read_bytes())
    buf = io.BytesIO()
    src.resize((4000, 3000), Image.Resampling.BICUBIC).save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    phash: dict[int | None, str] = {}
    for reduce_to in (None, 512):
        decode = timed(partial(load_image, data, reduce_to=reduce_to), 5)[0]
        im = load_image(data, reduce_to=reduce_to)
        phash[reduce_to] = compute_hashes(im, variants=False)["phash"]
        hashing = timed(partial(compute_hashes, im), 3)[0]
        local = timed(partial(extract_features, im), 3)[0]
        total = timed(partial(describe, im), 3)[0]
        print(
            f"  reduce_to={reduce_to}: decode to {im.size} p50 {decode:.0f} ms; describe p50"
            f" {total:.0f} ms (compute_hashes {hashing:.0f} ms, extract_features {local:.0f} ms)"
        )
    bits = bin(int(phash[None], 16) ^ int(phash[512], 16)).count("1")
    print(f"  phash differs by {bits} bits between the two decodes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="use only N references and N held out")
    parser.add_argument("--scale", type=int, default=1_000_000, help="random hashes for speed")
    parser.add_argument("--photo-every", type=int, default=12, help="photo-verify every Nth image")
    parser.add_argument("--speed-only", action="store_true", help="skip the accuracy part")
    args = parser.parse_args()
    print("command:", " ".join([".venv/bin/python", *sys.argv]))
    if args.speed_only:
        first = split(args.data)[0][0]
        speed(args.scale, index_hashes(load_image(first.read_bytes())))
        print("\nfeature extraction (12 MP JPEG):")
        extraction(args.data)
        return
    refs, held = split(args.data)
    if args.limit:
        refs, held = refs[:: max(1, len(refs) // args.limit)], held[: args.limit]
    print(f"data: {args.data}/images; {len(refs)} references, {len(held)} held out")
    index = NearCopyIndex()
    ref_hashes = {p.stem: compute_hashes(load_image(p.read_bytes())) for p in refs}
    for image_id, hashes in ref_hashes.items():
        index.add(image_id, hashes)
    photo = photo_stage(refs)
    start = time.perf_counter()
    qs = queries(refs, held, args.data, photo, args.photo_every)
    print(f"{len(qs)} queries described in {time.perf_counter() - start:.0f} s")
    order = list(dict.fromkeys(q.edit for q in qs))
    threshold, base = baseline_phash(ref_hashes, qs)
    ours = [(q, index.search(q.hashes)) for q in qs]
    columns: dict[str, Results] = {
        f"phash<={threshold}": base,
        "index": [(q.edit, q.truth, ids(h)) for q, h in ours],
        "index found": [(q.edit, q.truth, found(q.truth, h)) for q, h in ours],
        "index phash-only": [
            (q.edit, q.truth, ids(index.search({"phash": q.hashes["phash"]}))) for q in qs
        ],
    }
    sampled = [(q, h) for q, h in ours if q.photo is not None]
    if sampled:
        columns["sample: index"] = [(q.edit, q.truth, ids(h)) for q, h in sampled]
        columns["sample: +photo"] = [
            (q.edit, q.truth, ids(h) or (q.photo or [])) for q, h in sampled
        ]
    print(
        f"\ntop-1 match rate per edit. False positives: edited copies of held-out images with any"
        f" hit, 'unrelated' = natural photos of held-out products, 'sibling' = the catalogue"
        f" image of a held-out product whose brand has sibling products indexed (same packaging"
        f" template). Columns: baseline = plain phash nearest reference within {threshold} bits"
        f" (its 1% FP threshold on unrelated); index = NearCopyIndex with every hash; index"
        f" found = the true reference"
        f" anywhere in the hits; phash-only = queries carrying only a phash; sample = every"
        f" {args.photo_every}th image, index alone and then the photo verifier when the index"
        f" finds nothing" + ("" if sampled else " (not run: the photo verifier is unavailable)")
    )
    table(columns, order)
    for kind in (UNRELATED, SIBLING):
        methods: dict[str, int] = defaultdict(int)
        for q, hits in ours:
            if q.truth == kind and hits:
                methods[hits[0].method] += 1
        print(f"  index false positives on {kind[1:]} by rule:", dict(methods) or "none")
    for rule in index.rules:
        print(
            f"  rule {rule.method:9s} query {rule.query_view or 'whole':7s} vs {rule.group:7s}"
            f" phash<={rule.max_phash} alone, or phash<={rule.phash_gate} and"
            f" phash+dhash<={rule.max_combined}"
        )
    print("\nspeed:")
    p50, _ = timed(lambda: [index.search(q.hashes) for q in qs[:200]], 5)
    print(
        f"  {len(ref_hashes)}-image index: 200 queries p50 {p50:.1f} ms ({p50 / 200:.3f} ms each)"
    )
    speed(args.scale, qs[0].hashes)
    print("\nfeature extraction (12 MP JPEG):")
    extraction(args.data)


def ids(hits: list[NearCopyHit]) -> list[str]:
    return [h.image_id for h in hits]


def found(truth: str, hits: list[NearCopyHit]) -> list[str]:
    """The hit ids with the true reference first when it is among them (for 'index found')."""
    got = ids(hits)
    return [truth] if truth in got else got


if __name__ == "__main__":
    main()
