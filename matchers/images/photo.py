"""Photo matching: find the registered reference image a new photo of a product shows.

`extract_features` and `verify` (local features, RANSAC) live in `local_features`;
this module holds the catalogue-side index (see `PhotoIndex`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matchers.images.feature_store import FeatureStore
from matchers.images.local_features import (
    FeatureError,
    LocalFeatures,
    Verification,
    decode_features,
    extract_features,
    verify,
    verify_decoded,
)
from matchers.images.local_index import DescriptorIndex
from matchers.images.vocab import Vocabulary, load_codebook, load_vocabulary

__all__ = [
    "Calibration",
    "FeatureError",
    "LocalFeatures",
    "PhotoHit",
    "PhotoIndex",
    "Verification",
    "decode_features",
    "extract_features",
    "verify",
]


@dataclass(frozen=True, slots=True)
class PhotoHit:
    """A registered image the query photo shows, with a calibrated confidence in [0, 1]."""

    image_id: str
    score: float
    inliers: int
    inlier_fraction: float
    evidence: str


@dataclass(frozen=True, slots=True)
class Calibration:
    """Maps verification evidence to a confidence in [0, 1].

    Evidence is the RANSAC inlier count discounted by colour disagreement:
    inliers * exp(-colour_distance / colour_scale), because siblings of one brand
    share logos and layout (hundreds of inliers) but rarely colours. The logistic
    (`evidence_at_half`, `evidence_per_e`) was fitted by `bench/photo_calibration.py`,
    with equal priors, to correct top-1 answers against the best answer to queries
    whose product was NOT indexed, on the tuning half (even indices) of the
    grocery_store phone photos (348 px) only. On the other half, held out,
    `min_confidence` 0.7 let 4.8% of those no-match queries through, nearly all to a
    same-brand sibling, and no confident first answer was wrong.
    """

    evidence_at_half: float = 22.8
    evidence_per_e: float = 13.6
    colour_scale: float = 20.0
    # Without a thumbnail (old blobs) assume the typical distance of a true match
    # (median on grocery_store), so such images are neither favoured nor punished.
    unknown_colour_distance: float = 16.0
    min_confidence: float = 0.7
    # Verification stops past the first shortlist once a candidate has this much evidence.
    settled_evidence: float = 36.0

    def evidence(self, check: Verification) -> float:
        """Inliers discounted by how far the aligned colours differ."""
        colour = check.colour_distance
        if math.isnan(colour):
            colour = self.unknown_colour_distance
        return check.inliers * math.exp(-colour / self.colour_scale)

    def confidence(self, evidence: float) -> float:
        """Logistic confidence that this much evidence means the same object."""
        if evidence <= 0:
            return 0.0
        z = (evidence - self.evidence_at_half) / self.evidence_per_e
        return float(1.0 / (1.0 + math.exp(-z)))


class PhotoIndex:
    """Reference images by local features: a bag-of-words shortlist, then RANSAC verification.

    The shortlist comes from nearest-neighbour votes of the query's strongest
    descriptors in an inverted-file index over all stored descriptors (cells fixed
    by a shipped vocabulary), so a query scans a few cells, not the catalogue; only
    the `shortlist` best candidates are verified geometrically. Adding or removing
    an image updates the index in place; nothing is retrained or rebuilt.
    """

    def __init__(
        self,
        *,
        vocabulary: Vocabulary | None = None,
        compact: bool = True,
        shortlist: int = 8,
        max_shortlist: int = 32,
        query_descriptors: int = 1000,
        index_descriptors: int = 400,
        calibration: Calibration | None = None,
    ) -> None:
        vocab = vocabulary if vocabulary is not None else load_vocabulary()
        self._shortlist = shortlist
        self._max_shortlist = max(shortlist, max_shortlist)
        self._query_descriptors = query_descriptors
        self._index_descriptors = index_descriptors
        self.calibration = calibration if calibration is not None else Calibration()
        # Compact: votes come from 16-byte product-quantised descriptors (local_index).
        self._ifile = DescriptorIndex(vocab, codebook=load_codebook() if compact else None)
        self._slot_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        # Each reference's full blob waits in a file until it is verified (see FeatureStore).
        self._store = FeatureStore()
        self._free: list[int] = []
        # The last query's verified shortlist, valid while the index is unchanged.
        self._generation = 0
        self._last: tuple[bytes, int, list[tuple[float, PhotoHit]]] | None = None

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, image_id: object) -> bool:
        return image_id in self._slot_of

    def add(self, image_id: str, features: bytes) -> None:
        """Index (or replace) one reference image from its `extract_features` blob."""
        decoded = decode_features(features)
        self.remove(image_id)
        self._generation += 1
        # Reuse the lowest free slot so the slot space stays dense after removals.
        if self._free:
            slot = min(self._free)
            self._free.remove(slot)
            self._ids[slot] = image_id
        else:
            slot = len(self._ids)
            self._ids.append(image_id)
        self._store.put(slot, features)
        # Only the strongest keypoints of a reference vote; verification uses them all.
        self._ifile.add(slot, decoded.rootsift()[: self._index_descriptors])
        self._slot_of[image_id] = slot

    def remove(self, image_id: str) -> None:
        """Forget one reference image (no-op if it is not indexed)."""
        slot = self._slot_of.pop(image_id, None)
        if slot is None:
            return
        self._generation += 1
        self._ifile.remove(slot)
        self._store.remove(slot)
        self._ids[slot] = None
        self._free.append(slot)

    def candidates(self, query: LocalFeatures, *, limit: int) -> list[tuple[str, float]]:
        """The `limit` best images by descriptor votes (no geometry), best first."""
        # Keypoints are stored strongest first; the strongest `query_descriptors` vote.
        strongest = query.rootsift()[: self._query_descriptors]
        slots, sims = self._ifile.votes(strongest)
        if len(slots) == 0:
            return []
        names = [self._ids[s] or "" for s in slots.tolist()]
        ranked = sorted(zip(sims.tolist(), names, strict=True), key=lambda t: (-t[0], t[1]))
        return [(name, sim) for sim, name in ranked[:limit]]

    def search(
        self, features: bytes, *, limit: int = 3, min_confidence: float | None = None
    ) -> list[PhotoHit]:
        """Registered images the photo shows, best first; empty when no match is confident.

        `min_confidence` overrides the calibration's floor (a person who verifies the
        answer side by side, as an officer does, can use a lower one).
        """
        floor = self.calibration.min_confidence if min_confidence is None else min_confidence
        last = self._last
        if last is not None and last[1] == self._generation and last[0] == features:
            verified = last[2]  # the same photo asked again (a check's second, lower floor)
        else:
            verified = self._verify(features)
            self._last = (features, self._generation, verified)
        confidence = self.calibration.confidence
        return [hit for evidence, hit in verified if confidence(evidence) >= floor][:limit]

    def evidence(self, features: bytes) -> list[tuple[float, str]]:
        """(evidence, image id) of every verified candidate, best first (for calibration)."""
        return [(evidence, hit.image_id) for evidence, hit in self._verify(features)]

    def _verify(self, features: bytes) -> list[tuple[float, PhotoHit]]:
        """The shortlist verified geometrically: (evidence, hit) with evidence, best first."""
        query = decode_features(features)
        hits: list[tuple[float, PhotoHit]] = []
        settled = self.calibration.settled_evidence
        best = 0.0
        ranked = self.candidates(query, limit=self._max_shortlist)
        for rank, (image_id, _) in enumerate(ranked):
            # The first `shortlist` are always verified; more only while none is settled.
            if rank >= self._shortlist and best >= settled:
                break
            reference = decode_features(self._store.get(self._slot_of[image_id]))
            check = verify_decoded(query, reference)
            evidence = self.calibration.evidence(check)
            best = max(best, evidence)
            if evidence > 0:
                score = self.calibration.confidence(evidence)
                hits.append((evidence, _hit(image_id, score, check)))
        hits.sort(key=lambda t: (-t[0], t[1].image_id))
        return hits


def _hit(image_id: str, score: float, check: Verification) -> PhotoHit:
    colour = (
        "colours not comparable"
        if math.isnan(check.colour_distance)
        else f"aligned colours differ by {check.colour_distance:.0f} CIELAB units"
    )
    evidence = (
        f"{check.inliers} of {check.matches} local-feature matches agree on one homography "
        f"({check.inlier_fraction:.0%} of the smaller image's keypoints); {colour}"
    )
    return PhotoHit(
        image_id=image_id,
        score=round(score, 4),
        inliers=check.inliers,
        inlier_fraction=round(check.inlier_fraction, 4),
        evidence=evidence,
    )
