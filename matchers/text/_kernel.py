"""The compiled shortlist kernel of `matchers.text.index` (numba), loaded only when asked for.

Importing numba and setting up its target (which imports scipy.linalg for its BLAS check) costs
~0.6 s of CPU in a fresh process, so this module is not on any import path: `index.py` imports
it in `load_compiled_kernel()`, and a server does that on its index-load thread once /readyz is
200 (searches take the numpy path of `index.py`, with the same results, until then). The
compiled code is cached on disk by numba (`cache=True`, keyed on this file), so a restart loads
it instead of compiling it again.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["shortlist"]


@numba.njit("void(float64[::1], int64[::1], int64, int64)", cache=True, boundscheck=False)
def _sift(val: np.ndarray, slot: np.ndarray, i: int, n: int) -> None:  # pragma: no cover
    """Move entry `i` down the heap until both children are better than it."""
    while True:
        worst = i
        for c in (2 * i + 1, 2 * i + 2):
            if c < n and (val[c] < val[worst] or (val[c] == val[worst] and slot[c] > slot[worst])):
                worst = c
        if worst == i:
            return
        val[i], val[worst] = val[worst], val[i]
        slot[i], slot[worst] = slot[worst], slot[i]
        i = worst


# Compiled once (cached on disk by numba) when this module is imported.
# It holds the GIL, so the scratch array it borrows is never shared by two searches at once.
_SHORTLIST_SIGNATURE = (
    "Tuple((int64[::1], float64[::1], float64[::1]))"
    "(int32[::1], int64[::1], float64[::1], float64[::1], int64, int64[::1])"
)


@numba.njit(_SHORTLIST_SIGNATURE, cache=True, nogil=False, boundscheck=False)
def shortlist(
    cat: np.ndarray,
    ends: np.ndarray,
    weights: np.ndarray,
    scratch: np.ndarray,
    k: int,
    extra: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Scores of the touched slots, their k best, and the scores of `extra` slots.

    `cat` holds the postings of the chosen grams one after the other (gram j ends at
    `ends[j]`, weighs `weights[j]`). Each slot's score is summed gram by gram in that order,
    as `numpy.bincount` over `cat` would sum it, into `scratch` (all zeros, left all zeros).
    Only the slots touched are visited again: the best k by (score desc, slot asc) are kept
    in a heap whose root is the worst of them.
    """
    touched = np.empty(cat.shape[0], np.int64)
    nt = 0
    start = 0
    for j in range(ends.shape[0]):
        w = weights[j]
        for i in range(start, ends[j]):
            s = cat[i]
            if scratch[s] == 0.0:
                touched[nt] = s
                nt += 1
            scratch[s] += w
        start = ends[j]
    if k <= 0:
        top = touched[:0].copy()
    elif nt <= k:
        top = touched[:nt].copy()
    else:
        top = touched[:k].copy()
        val = np.empty(k, np.float64)
        for i in range(k):
            val[i] = scratch[top[i]]
        # A heap with the worst (lowest score, then highest slot) at the root.
        for root in range(k // 2 - 1, -1, -1):
            _sift(val, top, root, k)
        for i in range(k, nt):
            s = touched[i]
            v = scratch[s]
            if v > val[0] or (v == val[0] and s < top[0]):
                val[0] = v
                top[0] = s
                _sift(val, top, 0, k)
    top_scores = np.empty(top.shape[0], np.float64)
    for i in range(top.shape[0]):
        top_scores[i] = scratch[top[i]]
    extra_scores = np.empty(extra.shape[0], np.float64)
    for i in range(extra.shape[0]):
        extra_scores[i] = scratch[extra[i]]
    for i in range(nt):
        scratch[touched[i]] = 0.0
    return top, top_scores, extra_scores
