"""NearCopyIndex: golden edited copies, phash-only queries, updates, determinism, properties."""

from __future__ import annotations

import io
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont, ImageOps

from matchers.images.hashes import compute_hashes
from matchers.images.nearcopy import NearCopyIndex
from tests.matchers.test_hashes import scene

REFS = 6


@cache
def ref_hashes(k: int) -> dict[str, str]:
    return compute_hashes(scene(100 + k, (320, 240)))


def index() -> NearCopyIndex:
    built = NearCopyIndex()
    for k in range(REFS):
        built.add(f"ref-{k}", ref_hashes(k))
    return built


def jpeg(im: Image.Image, quality: int = 60) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def captioned(im: Image.Image) -> Image.Image:
    out = im.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, im.height - 36, im.width, im.height), fill=(250, 220, 0))
    font = ImageFont.load_default(size=22)
    draw.text(
        (im.width // 2, im.height - 18), "100% ORIGINAL", fill=(0, 0, 0), font=font, anchor="mm"
    )
    return out


def padded(im: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", (im.width, im.height + 140), (0, 0, 0))
    canvas.paste(im, (0, 70))
    return canvas


EDITS = {
    "recompressed": (lambda im: jpeg(im, 35), {"phash"}),
    "flipped": (lambda im: jpeg(ImageOps.mirror(im)), {"flip"}),
    "padded": (lambda im: jpeg(padded(im)), {"trim"}),
    "captioned": (lambda im: jpeg(captioned(im)), {"caption", "phash"}),
    "rotated": (lambda im: jpeg(im.rotate(15, Image.Resampling.BICUBIC)), {"rotation"}),
    "cropped": (lambda im: jpeg(im.crop((32, 24, 320, 240))), {"crop", "phash"}),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_copy_finds_its_reference_first(edit: str) -> None:
    make, methods = EDITS[edit]
    hits = index().search(compute_hashes(make(scene(102, (320, 240)))))
    assert hits, edit
    assert hits[0].image_id == "ref-2"
    assert hits[0].method in methods
    assert 0.0 < hits[0].similarity <= 1.0
    assert "bits" in hits[0].evidence


def test_an_unrelated_image_finds_nothing() -> None:
    built = index()
    for seed in (7, 8, 9):
        assert built.search(compute_hashes(jpeg(scene(seed, (320, 240))))) == []


def test_a_query_with_only_a_phash_works() -> None:
    query = compute_hashes(jpeg(scene(104, (320, 240)), 50))
    hits = index().search({"phash": query["phash"]})
    assert [h.image_id for h in hits][:1] == ["ref-4"]
    assert hits[0].distance <= 6
    flipped = compute_hashes(ImageOps.mirror(scene(104, (320, 240))))
    assert index().search({"phash": flipped["phash"]})[0].method == "flip"


def test_remove_and_re_add() -> None:
    built = index()
    query = compute_hashes(jpeg(scene(101, (320, 240))))
    assert built.search(query)[0].image_id == "ref-1"
    built.remove("ref-1")
    assert "ref-1" not in built
    assert all(h.image_id != "ref-1" for h in built.search(query))
    assert len(built) == REFS - 1
    built.remove("ref-1")  # removing twice is harmless
    built.add("ref-1", ref_hashes(1))
    assert built.search(query)[0].image_id == "ref-1"


def test_re_adding_an_id_replaces_its_hashes() -> None:
    built = index()
    built.add("ref-1", ref_hashes(3))
    assert len(built) == REFS
    hits = built.search(compute_hashes(jpeg(scene(101, (320, 240)))))
    assert all(h.image_id != "ref-1" for h in hits)


def test_ties_are_ordered_by_image_id_whatever_the_insertion_order() -> None:
    a, b = NearCopyIndex(), NearCopyIndex()
    for name in ("zeta", "alpha", "mid"):
        a.add(name, ref_hashes(0))
    for name in ("mid", "zeta", "alpha"):
        b.add(name, ref_hashes(0))
    query = compute_hashes(scene(100, (320, 240)))
    assert a.search(query) == b.search(query)
    assert [h.image_id for h in a.search(query)] == ["alpha", "mid", "zeta"]
    assert [h.image_id for h in a.search(query, limit=2)] == ["alpha", "mid"]


def test_a_reference_needs_a_phash_and_may_lack_a_dhash() -> None:
    with pytest.raises(ValueError, match="phash"):
        NearCopyIndex().add("x", {"dhash": "0" * 16})
    built = NearCopyIndex()
    built.add("x", {"phash": ref_hashes(0)["phash"]})
    hits = built.search(compute_hashes(jpeg(scene(100, (320, 240)))))
    assert [h.image_id for h in hits] == ["x"]
    assert "dhash" not in hits[0].evidence
    with pytest.raises(ValueError, match="16 hex"):
        NearCopyIndex().search({"phash": "abc"})


hash64 = st.integers(min_value=0, max_value=2**64 - 1).map(lambda v: f"{v:016x}")


@given(hash64, hash64, hash64)
def test_distance_is_the_symmetric_hamming_distance(a: str, b: str, d: str) -> None:
    distances = []
    for stored, query in ((a, b), (b, a)):
        built = NearCopyIndex()
        built.add("x", {"phash": stored, "dhash": d})
        (hit,) = built.search({"phash": query}, max_distance=64)
        distances.append(hit.distance)
    assert distances[0] == distances[1] == bin(int(a, 16) ^ int(b, 16)).count("1")


@settings(max_examples=60)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5), hash64), max_size=40))
def test_a_removed_image_never_appears_in_results(ops: list[tuple[bool, int, str]]) -> None:
    built, live = NearCopyIndex(), set()
    for add, k, value in ops:
        if add:
            built.add(f"i{k}", {"phash": value, "dhash": value})
            live.add(f"i{k}")
        else:
            built.remove(f"i{k}")
            live.discard(f"i{k}")
        found = built.search({"phash": "0" * 16}, max_distance=64, limit=100)
        assert {h.image_id for h in found} == live
        assert len(built) == len(live)


def test_an_index_without_a_rule_neither_stores_nor_uses_its_views() -> None:
    from matchers.images.nearcopy import DEFAULT_RULES

    no_flip = NearCopyIndex(rules=tuple(r for r in DEFAULT_RULES if r.method != "flip"))
    no_flip.add("ref-0", ref_hashes(0))
    mirrored = compute_hashes(jpeg(ImageOps.mirror(scene(100, (320, 240)))))
    assert all(h.method != "flip" for h in no_flip.search(mirrored))
    assert index().search(mirrored)[0].method == "flip"
