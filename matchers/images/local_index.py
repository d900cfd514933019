"""Nearest-neighbour voting over the stored RootSIFT descriptors of every reference image.

A FAISS inverted-file index holds each reference descriptor, product-quantised to
16 bytes (`IndexIVFPQ`, 16 sub-vectors of 8 dimensions, 256 codes each, on the
residual from the descriptor's cell) plus its 8-byte id: 24 bytes instead of 136
with 8 bits a dimension. Its coarse cells are the shipped visual vocabulary and its
codebook the shipped `pq16_rootsift.npy`, both learnt from synthetic images only
(`vocab_train`), so adding or removing an image never retrains anything. A query's strongest
descriptors each find their k nearest stored descriptors; a neighbour votes for
its image when it passes a ratio test against the nearest neighbour from another
image.
"""

from __future__ import annotations

import faiss
import numpy as np
import numpy.typing as npt

from matchers.images.vocab import Vocabulary

SLOT_SHIFT = 20  # id = slot << 20 | keypoint index; extract_features keeps < 2**20 keypoints
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class DescriptorIndex:
    """Stored descriptors of many images, searched approximately, one image at a time updated."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        *,
        codebook: npt.NDArray[np.floating] | None = None,
        nprobe: int = 4,
        neighbours: int = 8,
    ) -> None:
        faiss.omp_set_num_threads(1)  # see vocab.py: threads hurt on a shared 2-core host
        self._quantizer = vocabulary.quantizer(scale=255.0)
        dim = vocabulary.centroids.shape[1]
        self._index: faiss.IndexIVF
        if codebook is None:  # 8 bits a dimension, no training: round(255 * RootSIFT)
            self._index = faiss.IndexIVFScalarQuantizer(
                self._quantizer,
                dim,
                len(vocabulary),
                faiss.ScalarQuantizer.QT_8bit_direct,
                faiss.METRIC_L2,
            )
            self._index.train(np.zeros((1, dim), np.float32))
        else:  # (sub-vectors, 256, dim / sub-vectors) centroids learnt on synthetic images
            pq = faiss.IndexIVFPQ(self._quantizer, dim, len(vocabulary), codebook.shape[0], 8)
            faiss.copy_array_to_vector(
                np.ascontiguousarray(codebook, dtype=np.float32).ravel(), pq.pq.centroids
            )
            pq.is_trained = True
            self._index = pq
        self._index.own_fields = False
        self._index.nprobe = nprobe
        self._neighbours = neighbours
        self._counts: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._counts)

    @property
    def descriptors(self) -> int:
        """How many descriptors are stored."""
        return int(self._index.ntotal)

    def add(self, slot: int, descriptors: npt.NDArray[np.float32]) -> None:
        """Store one image's RootSIFT descriptors under `slot` (an unused integer)."""
        if slot in self._counts:
            raise KeyError(f"slot {slot} is already indexed")
        n = len(descriptors)
        if n:
            ids = (np.int64(slot) << SLOT_SHIFT) + np.arange(n, dtype=np.int64)
            self._index.add_with_ids(_scaled(descriptors), ids)
        self._counts[slot] = n

    def remove(self, slot: int) -> None:
        """Drop every descriptor of `slot` (no-op if absent)."""
        if self._counts.pop(slot, None) is None:
            return
        lo = slot << SLOT_SHIFT
        self._index.remove_ids(faiss.IDSelectorRange(lo, lo + (1 << SLOT_SHIFT)))

    def votes(
        self, descriptors: npt.NDArray[np.float32], *, ratio: float = 0.95
    ) -> tuple[IntArray, FloatArray]:
        """Slots voted for by the query descriptors, and their vote counts.

        A descriptor votes for the image of its nearest stored neighbour when that
        neighbour is clearly closer than the nearest one from any other image (Lowe's
        ratio test, across the catalogue), so repeated texture and generic corners,
        close to many images at once, do not vote.
        """
        k = self._neighbours
        if self._index.ntotal == 0 or len(descriptors) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        dist, ids = self._index.search(_scaled(descriptors), k)
        found = ids[:, 0] >= 0
        dist, ids = np.sqrt(np.maximum(dist[found], 0.0)), ids[found]
        slots = np.where(ids >= 0, ids >> SLOT_SHIFT, -1)
        other = (slots != slots[:, :1]) & (slots >= 0)
        has_other = other.any(axis=1)
        second = np.where(has_other, dist[np.arange(len(dist)), other.argmax(axis=1)], dist[:, -1])
        keep = dist[:, 0] < ratio * second
        # All k neighbours in one image: no other image comes close, so the vote stands
        # unless the descriptor sits in a flat, featureless crowd (k-th as close as 1st).
        keep |= ~has_other & (dist[:, -1] > dist[:, 0])
        totals = np.bincount(slots[keep, 0])
        hit = np.flatnonzero(totals > 0)
        return hit.astype(np.int64), totals[hit].astype(np.float64)


def _scaled(descriptors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    # QT_8bit_direct stores each value as an integer in [0, 255].
    return np.ascontiguousarray(np.clip(np.rint(descriptors * 255.0), 0, 255), dtype=np.float32)
