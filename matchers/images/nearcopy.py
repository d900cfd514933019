"""Near-copy search: a Hamming-distance index over the perceptual hashes of reference images.

Each reference contributes one row per view that `compute_hashes` hashed (the
whole image, its mirror, its trimmed, partial, rotated and cropped views), kept
in one table per group of views. A `Rule` says which query view is compared
with which group and how close the hashes must be; the rules together find
recompressed, resized, grey, brightened, flipped, padded, captioned, rotated
(up to ~15°) and cropped (10-30%) copies. A query needs only "phash"; with its
"dhash" and variant hashes too, more rules apply and phash and dhash must
agree, which keeps false positives low.

Rows are appended on `add` and tombstoned on `remove` (the table compacts
itself once half its rows are dead), so the index never needs a rebuild. The
phash scan is a faiss binary range search on one thread (exact, deterministic).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from matchers.images.hashes import CROP_ANCHORS, CROP_FRACTIONS, ROTATIONS, crop_name

faiss.omp_set_num_threads(1)  # two OpenMP threads on a busy 2-core host measured 20 ms a query

U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class NearCopyHit:
    """A reference image the query is a near-copy of, with the evidence."""

    image_id: str
    distance: int
    similarity: float
    method: str
    evidence: str
    meaning: str = "copy"  # what kind of copy, in plain words ("mirrored copy")


@dataclass(frozen=True, slots=True)
class Rule:
    """Compare the query's `query_view` with the references' `group` of views.

    A hit needs phash distance <= `max_phash` when the query has no dhash for the
    view; with one, phash <= `phash_gate` and phash + dhash <= `max_combined`.
    When several rules match one image, the hit reports the one with the fewest
    bits apart after adding `penalty` bits, so a plain copy is not explained away
    as a caption or crop that happens to agree as well.
    """

    method: str
    query_view: str
    group: str
    max_phash: int
    phash_gate: int
    max_combined: int
    penalty: int
    meaning: str


# Groups of reference views (variant suffixes of hashes.py; "" is the whole image).
GROUPS: dict[str, tuple[str, ...]] = {
    "whole": ("",),
    "flip": ("flip",),
    "trim": ("trim", "trim_flip"),
    "top": ("top",),
    "bottom": ("bottom",),
    "centre": ("centre", *(f"rot{a:+d}" for a in ROTATIONS)),
    "crop": tuple(crop_name(a, f) for f in CROP_FRACTIONS for a in CROP_ANCHORS),
}

# Set with bench/images_nearcopy.py on edits of the shared images (edits drawn with another seed
# than the ones it reports): <= 1% false positives for all rules together. Two phashes each have
# 32 ones, so their distance is even: 12 and 13 are the same threshold.
DEFAULT_RULES: tuple[Rule, ...] = (
    #    method      query     group     phash gate both pen meaning
    Rule("phash",    "",       "whole",  12,   22,  30,  0,  "re-encoded, resized or recoloured"),
    Rule("flip",     "",       "flip",   12,   22,  30,  2,  "mirrored copy"),
    Rule("trim",     "trim",   "trim",   12,   22,  30,  2,  "copy (plain borders aside)"),
    Rule("caption",  "top",    "top",    12,   22,  28,  4,  "captioned copy (band at the bottom)"),
    Rule("caption",  "bottom", "bottom", 12,   22,  28,  4,  "captioned copy (band at the top)"),
    Rule("rotation", "centre", "centre", 11,   20,  26,  4,  "rotated copy (its centre matches)"),
    Rule("crop",     "",       "crop",   10,   22,  28,  4,  "cropped copy"),
)  # fmt: skip


def _key(kind: str, view: str) -> str:
    return f"{kind}_{view}" if view else kind


def _parse(value: str) -> np.uint64:
    if len(value) != 16:
        raise ValueError(f"expected a 64-bit hash as 16 hex digits, got {value!r}")
    return np.uint64(int(value, 16))


class _Table:
    """Rows (phash, dhash, dhash known, view, image slot) of a group; faiss mirrors the phashes.

    Arrays grow by doubling so adding one image costs amortised O(1); a dead
    row keeps its place (slot -1) until compaction.
    """

    def __init__(self, views: tuple[str, ...]) -> None:
        self.views = views
        self.size = 0
        self.dead = 0
        self.phash: U64 = np.empty(64, dtype=np.uint64)
        self.dhash: U64 = np.empty(64, dtype=np.uint64)
        self.known: npt.NDArray[np.bool_] = np.empty(64, dtype=np.bool_)
        self.view: npt.NDArray[np.uint8] = np.empty(64, dtype=np.uint8)
        self.slot: npt.NDArray[np.int64] = np.empty(64, dtype=np.int64)
        self.faiss = faiss.IndexBinaryFlat(64)

    def append(self, slot: int, rows: list[tuple[int, np.uint64, np.uint64 | None]]) -> None:
        n, end = self.size, self.size + len(rows)
        if end > self.slot.size:
            grow = max(end, 2 * self.slot.size)
            self.phash, self.dhash = _grown(self.phash, grow), _grown(self.dhash, grow)
            self.known = _grown(self.known, grow)
            self.view, self.slot = _grown(self.view, grow), _grown(self.slot, grow)
        self.phash[n:end] = [p for _, p, _ in rows]
        self.dhash[n:end] = [np.uint64(0) if d is None else d for *_, d in rows]
        self.known[n:end] = [d is not None for *_, d in rows]
        self.view[n:end] = [v for v, _, _ in rows]
        self.slot[n:end] = slot
        self.size = end
        self.faiss.add(self.phash[n:end].view(np.uint8).reshape(-1, 8))

    def kill(self, slot: int) -> None:
        rows = np.flatnonzero(self.slot[: self.size] == slot)
        self.slot[rows] = -1
        self.dead += rows.size
        if self.dead * 2 > self.size:
            self._compact()

    def _compact(self) -> None:
        keep = np.flatnonzero(self.slot[: self.size] >= 0)
        self.size, self.dead = keep.size, 0
        for name in ("phash", "dhash", "known", "view", "slot"):
            column = getattr(self, name)
            column[: keep.size] = column[keep]
        self.faiss.reset()
        self.faiss.add(self.phash[: self.size].view(np.uint8).reshape(-1, 8))

    def within(self, query: np.uint64, radius: int) -> tuple[npt.NDArray[np.int64], U64]:
        """Live rows whose phash is at most `radius` bits from `query`, and those distances."""
        if self.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
        q = np.array([query], dtype=np.uint64).view(np.uint8).reshape(1, 8)
        _, dist, rows = self.faiss.range_search(q, radius + 1)  # faiss keeps distance < radius
        rows = rows.astype(np.int64)
        live = self.slot[rows] >= 0
        return rows[live], dist[live].astype(np.uint64)


def _grown(column: npt.NDArray[Any], capacity: int) -> npt.NDArray[Any]:
    out = np.empty(capacity, dtype=column.dtype)
    out[: column.size] = column
    return out


class NearCopyIndex:
    """Hamming index over reference hashes; add or remove one image at a time."""

    def __init__(self, *, rules: tuple[Rule, ...] = DEFAULT_RULES) -> None:
        self.rules = rules
        # Only the groups some rule reads are stored: dropping the crop rule saves 15 rows an image.
        used = {rule.group for rule in rules}
        self._tables = {g: _Table(views) for g, views in GROUPS.items() if g in used}
        self._slot_of: dict[str, int] = {}
        self._image_of: dict[int, str] = {}
        self._next_slot = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._slot_of

    def add(self, image_id: str, hashes: Mapping[str, str]) -> None:
        """Index (or re-index) `image_id` under every view its `hashes` carry; needs a phash."""
        if "phash" not in hashes:
            raise ValueError("a reference needs at least a 'phash'")
        per_group: dict[str, list[tuple[int, np.uint64, np.uint64 | None]]] = {}
        for group, table in self._tables.items():
            for code, view in enumerate(table.views):
                p, d = hashes.get(_key("phash", view)), hashes.get(_key("dhash", view))
                if p is not None:
                    dhash = None if d is None else _parse(d)
                    per_group.setdefault(group, []).append((code, _parse(p), dhash))
        with self._lock:
            self._remove(image_id)
            slot = self._next_slot
            self._next_slot += 1
            self._slot_of[image_id] = slot
            self._image_of[slot] = image_id
            for group, rows in per_group.items():
                self._tables[group].append(slot, rows)

    def remove(self, image_id: str) -> None:
        """Forget `image_id` (no error if it is not indexed)."""
        with self._lock:
            self._remove(image_id)

    def _remove(self, image_id: str) -> None:
        slot = self._slot_of.pop(image_id, None)
        if slot is None:
            return
        del self._image_of[slot]
        for table in self._tables.values():
            table.kill(slot)

    def search(
        self, hashes: Mapping[str, str], *, max_distance: int | None = None, limit: int = 10
    ) -> list[NearCopyHit]:
        """Find references `hashes` is a near-copy of, most similar first (ties by image_id).

        With `max_distance`, any rule's view pair within that phash distance is a
        hit (dhash is not consulted); without it, each rule's calibrated thresholds apply.
        """
        best: dict[int, tuple[float, float, int, str, str, str]] = {}
        with self._lock:
            for rule in self.rules:
                self._apply(rule, hashes, max_distance, best)
            found = [(self._image_of[s], *v[1:]) for s, v in best.items()]
        found.sort(key=lambda hit: (-hit[1], hit[2], hit[0]))
        return [
            NearCopyHit(
                image_id=i, distance=d, similarity=round(sim, 4), method=m, evidence=e, meaning=w
            )
            for i, sim, d, m, e, w in found[:limit]
        ]

    def _apply(
        self,
        rule: Rule,
        hashes: Mapping[str, str],
        max_distance: int | None,
        best: dict[int, tuple[float, float, int, str, str, str]],
    ) -> None:
        p_hex = hashes.get(_key("phash", rule.query_view))
        if p_hex is None:
            return
        d_hex = hashes.get(_key("dhash", rule.query_view))
        use_dhash = max_distance is None and d_hex is not None
        if max_distance is not None:
            radius = max_distance
        else:
            radius = rule.phash_gate if use_dhash else rule.max_phash
        table = self._tables[rule.group]
        rows, pdist = table.within(_parse(p_hex), radius)
        if rows.size == 0:
            return
        # Both dhashes known: phash and dhash must agree; otherwise phash alone decides.
        both = table.known[rows] if use_dhash else np.zeros(rows.size, dtype=np.bool_)
        ddist = np.bitwise_count(table.dhash[rows] ^ _parse(d_hex or "0" * 16)).astype(np.uint64)
        if max_distance is None:
            alone = pdist <= rule.max_phash
            ok = np.where(both, pdist + ddist <= rule.max_combined, alone)
            rows, pdist, ddist, both = rows[ok], pdist[ok], ddist[ok], both[ok]
        sims = np.where(both, 1.0 - (pdist + ddist) / 128.0, 1.0 - pdist / 64.0)
        for k, row in enumerate(rows.tolist()):
            slot, sim, dist = int(table.slot[row]), float(sims[k]), int(pdist[k])
            apart = 128.0 * (1.0 - sim) + rule.penalty
            current = best.get(slot)
            if current is not None and current[0] <= apart:
                continue
            view = f"{table.views[table.view[row]] or 'whole'} view"
            extra = f", dhash {int(ddist[k])} bits" if both[k] else ""
            meaning = rule.meaning
            if rule.group != "flip" and view.startswith(("flip", "trim_flip")):
                meaning = f"mirrored {meaning}"  # the reference's mirrored view matched
            evidence = f"{meaning}: query phash is {dist} bits from the reference's ({view}{extra})"
            best[slot] = (apart, sim, dist, rule.method, evidence, meaning)
