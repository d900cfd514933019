"""Product text retrieval: a character-trigram inverted index, then a rapidfuzz/IDF rerank.

Per query the cost depends on the postings of the query's trigrams, not on the catalogue size:
trigrams are taken rarest first until a postings budget is spent (very common trigrams carry
little information and make the p99), scored with one weighted `numpy.bincount`, and the best
`shortlist` documents are reranked by `similarity`. Exact model-number hits always join the
shortlist. Documents are appended; a replaced or removed document leaves a tombstone, and the
arrays are compacted once tombstones pass a quarter of the documents (and 1,000).

Storage: `freeze()` turns the whole index into a few flat numpy arrays (postings in CSR form,
the documents' texts and features as byte blobs with offsets, keys and grams) plus a small
picklable state, and `thaw()` makes an index that reads those arrays in place, so arrays
memory-mapped from a snapshot file are shared by every worker through the page cache. A thawed
index takes later documents in ordinary Python lists ("the tail"): their slots come after the
frozen ones, so every gram's postings stay ascending and the search is the same as before.
"""

from __future__ import annotations

import marshal
import re
import threading
from array import array
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from matchers.records import ProductRecord
from matchers.text.normalize import compact, is_size, models_in, tokens
from matchers.text.similarity import (
    DEFAULT_SIMILARITY,
    SimilarityWeights,
    TextFeatures,
    combine,
    idf,
    model_root,
    token_set,
)

_UNSEEN = idf(0)
_VERSION = re.compile(r"^v?\.?(\d+)(?:\.0)?$")
MAX_MODEL_HITS = 50

__all__ = ["Parts", "TextIndex", "analyse", "assemble", "features", "product_document"]


def product_document(p: ProductRecord) -> str:
    """The text indexed for a product: brand, name and model (not the description)."""
    parts = [p.brand, p.name]
    if p.model and compact(p.model.casefold()) not in compact(p.name.casefold()):
        parts.append(p.model)
    return " ".join(part for part in parts if part)


# A declared text's features are read by the text search, the identity features and the
# re-ranker of one query: the last few are kept (the same object, so the same sets).
@lru_cache(maxsize=256)
def features(text: str) -> TextFeatures:
    """Normalised text, tokens, model numbers (whole, joined, roots) and sizes of a text."""
    return assemble(*analyse(tokens(text)))


# What a text's `TextFeatures` are built from: its tokens, the bare numbers of its versions
# ("v22" -> "22", "7.0" -> "7"), its model numbers written whole, the ones written in pieces
# and its sizes, each list in the order of the text (never of a set: the same in every
# process, whatever its string hashes).
Parts = tuple[list[str], list[str], list[str], list[str], list[str]]


def analyse(toks: list[str]) -> Parts:
    """The `Parts` of a text's normalised tokens."""
    found = models_in(toks)
    joins: list[str] = []
    # A model number written in pieces: "SH 350 IP", "HD 6870", "MDR EX55/WHI".
    pieces = [c if len(c) <= 5 and c.isalnum() else "" for c in map(compact, toks)]
    for i in range(len(pieces) - 1):
        for j in (i + 2, i + 3):
            window = pieces[i:j]
            if j <= len(pieces) and all(window) and not all(p.isalpha() for p in window):
                joined = "".join(window)
                if models_in([joined]) and not is_size(joined):
                    joins.append(joined)
    versions = [m.group(1) for m in map(_VERSION.match, toks) if m]
    models = [m for m in found if not is_size(m)]
    return toks, versions, models, joins, [m for m in found if is_size(m)]


def assemble(
    toks: list[str],
    versions: list[str],
    models: list[str],
    joins: list[str],
    sizes: list[str],
) -> TextFeatures:
    """The `TextFeatures` of `Parts`. Each set is built by the same steps from the same items
    in the same order every time, so it iterates in the same order (a set made from another
    set's items may not) and a sum over it is the same float, whether the parts come from a
    text or were stored with the index."""
    words = set(toks)
    for number in versions:
        words.add(number)
    whole = frozenset(models)
    keys = set(whole)
    for joined in joins:
        keys.add(joined)
    roots = frozenset(model_root(k) for k in keys)
    return TextFeatures(" ".join(toks), frozenset(words), whole, frozenset(keys), roots,
                        frozenset(sizes))  # fmt: skip


def _trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@lru_cache(maxsize=1 << 16)
def _idf(df: int) -> float:
    return idf(df)


def _pack(items: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Byte strings as one uint8 blob and int64 offsets (item i is blob[off[i]:off[i + 1]])."""
    off = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in items], out=off[1:])
    return np.frombuffer(b"".join(items), dtype=np.uint8), off


def _unpack(blob: np.ndarray, off: np.ndarray) -> list[str]:
    """The UTF-8 strings of a `_pack` blob."""
    data, ends = blob.tobytes(), off.tolist()
    return [data[a:b].decode() for a, b in pairwise(ends)]


def _encode_doc(doc: TextFeatures) -> bytes:
    return marshal.dumps((tuple(doc.tokens), tuple(doc.models), tuple(doc.model_keys),
                          tuple(doc.model_roots), tuple(doc.sizes)))  # fmt: skip


class _Weights(dict[str, float]):
    """Token -> IDF weight; a token no document has weighs the most."""

    def __missing__(self, key: str) -> float:
        return _UNSEEN


# The shortlist: the compiled kernel of `_kernel.py` once loaded, else a numpy path whose results
# are the same (the same slots, scores summed in the same order: bit-equal). Both borrow the
# index's scratch array, so one search at a time holds it (numpy releases the GIL mid-way).
_scratch_lock = threading.Lock()
_compiled: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
_deferred = False
_mark = np.zeros(0, np.int32)


def defer_compiled_kernel() -> None:
    """Until `load_compiled_kernel()` runs, searches take the numpy path instead of loading it.

    For a server: its index loads and /readyz turns 200 without the ~0.6 s of CPU numba's set-up
    costs, and the kernel is loaded right after (the numpy path is ~0.3 ms slower a search).
    """
    global _deferred
    _deferred = True


def load_compiled_kernel() -> None:
    """Load the compiled shortlist kernel (numba; from its disk cache after the first time)."""
    global _compiled
    if _compiled is None:
        from matchers.text._kernel import shortlist

        _compiled = shortlist


def compiled_kernel_loaded() -> bool:
    """Whether searches use the compiled kernel (else the numpy path)."""
    return _compiled is not None


def _shortlist(
    cat: np.ndarray,
    ends: np.ndarray,
    weights: np.ndarray,
    scratch: np.ndarray,
    k: int,
    extra: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores of the touched slots, their k best, and the scores of `extra` slots.

    `cat` holds the postings of the chosen grams one after the other (gram j ends at
    `ends[j]`, weighs `weights[j]`); `scratch` is all zeros, and left all zeros. Without
    `defer_compiled_kernel()` the first call loads the compiled kernel (as importing this
    module once did).
    """
    kernel = _compiled
    if kernel is None and not _deferred:
        load_compiled_kernel()
        kernel = _compiled
    with _scratch_lock:
        if kernel is None:
            return _shortlist_numpy(cat, ends, weights, scratch, k, extra)
        return kernel(cat, ends, weights, scratch, k, extra)


def _shortlist_numpy(
    cat: np.ndarray,
    ends: np.ndarray,
    weights: np.ndarray,
    scratch: np.ndarray,
    k: int,
    extra: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The compiled kernel's results with numpy (the order of `top` may differ, not its set).

    `ufunc.at` adds in `cat` order, as the kernel does, so each score is the same float; the
    k best by (score desc, slot asc) are those above the k-th best score plus the lowest slots
    among those equal to it.
    """
    global _mark
    m = cat.shape[0]
    np.add.at(scratch, cat, np.repeat(weights, np.diff(ends, prepend=0)))
    if _mark.shape[0] < scratch.shape[0]:
        _mark = np.zeros(scratch.shape[0], np.int32)
    # One position per touched slot: whichever of its positions the assignment kept.
    pos = np.arange(m, dtype=np.int32)
    _mark[cat] = pos
    touched = cat[_mark[cat] == pos].astype(np.int64)
    vals = scratch[touched]
    nt = touched.shape[0]
    if k <= 0:
        top = touched[:0]
    elif nt <= k:
        top = touched
    else:
        kth = np.partition(vals, nt - k)[nt - k]
        above = vals > kth
        need = k - int(np.count_nonzero(above))  # >= 1: the k-th best itself is not above
        tied = touched[vals == kth]
        if need < tied.shape[0]:
            tied = np.partition(tied, need - 1)[:need]
        top = np.concatenate((touched[above], tied))
    top_scores = scratch[top]
    extra_scores = scratch[extra]
    scratch[touched] = 0.0
    return top, top_scores, extra_scores


class TextIndex:
    """In-memory product text index with add/replace/remove of one document at a time."""

    def __init__(
        self,
        *,
        shortlist: int = 100,
        postings_budget: int = 30_000,
        weights: SimilarityWeights = DEFAULT_SIMILARITY,
    ) -> None:
        self.shortlist = shortlist
        self.postings_budget = postings_budget
        self.weights = weights
        self._reset()

    def _reset(self) -> None:
        self._keys: list[str | None] = []
        self._slot: dict[str, int] = {}
        self._gram_id: dict[str, int] = {}
        self._gram_df: list[int] = []
        # The frozen part (see `thaw`): slots below `_base`, postings of grams below
        # `len(_post_off) - 1`; arrays that may be read-only views of a mapped file.
        self._base = 0
        self._post: np.ndarray = np.zeros(0, dtype=np.int32)
        self._post_off: np.ndarray = np.zeros(1, dtype=np.int64)
        self._text_blob: np.ndarray = np.zeros(0, dtype=np.uint8)
        self._text_off: np.ndarray = np.zeros(1, dtype=np.int64)
        self._doc_blob: np.ndarray = np.zeros(0, dtype=np.uint8)
        self._doc_off: np.ndarray = np.zeros(1, dtype=np.int64)
        self._text_mem, self._doc_mem = self._text_blob.data, self._doc_blob.data
        # Model number -> frozen slots: the numbers sorted (as UTF-8) in a blob, slots in CSR.
        self._model_blob: np.ndarray = np.zeros(0, dtype=np.uint8)
        self._model_off: np.ndarray = np.zeros(1, dtype=np.int64)
        self._model_post: np.ndarray = np.zeros(0, dtype=np.int32)
        self._model_post_off: np.ndarray = np.zeros(1, dtype=np.int64)
        self._model_mem = self._model_blob.data
        # The tail: slots from `_base` on, and postings added since the freeze, by gram id.
        self._more: dict[int, array[int]] = {}
        self._docs: list[TextFeatures | None] = []
        self._texts: list[str] = []
        self._token_df: dict[str, int] = {}
        self._token_w: _Weights = _Weights()
        self._model_docs: dict[str, set[int]] = {}  # of the tail's slots
        self._dead = 0
        self._scratch: np.ndarray = np.zeros(0)  # per-slot scores of one search, kept all zeros
        # Summed token weights of documents, reused across queries; every add or remove changes
        # token weights, so it empties the cache (exact, and free while the catalogue is still).
        self._doc_totals: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, key: object) -> bool:
        return key in self._slot

    def in_order(self, keys: Iterable[str]) -> list[str]:
        """The indexed ones of `keys` in the order they were indexed (by slot)."""
        slot = self._slot
        return sorted((k for k in keys if k in slot), key=slot.__getitem__)

    def add(self, key: str, text: str) -> None:
        """Index `text` under `key`, replacing any earlier text of that key."""
        if key in self._slot:
            self.remove(key)
        self._doc_totals = {}  # renewed, not cleared: a running search keeps its own
        doc = features(text)
        slot = len(self._keys)
        for gram in sorted(_trigrams(doc.text)):
            gid = self._gram_id.get(gram)
            if gid is None:
                gid = self._gram_id[gram] = len(self._gram_df)
                self._gram_df.append(0)
            more = self._more.get(gid)
            if more is None:
                more = self._more[gid] = array("i")
            more.append(slot)
            self._gram_df[gid] += 1
        for tok in doc.tokens:
            self._token_df[tok] = df = self._token_df.get(tok, 0) + 1
            self._token_w[tok] = idf(df)
        for model in doc.model_keys:
            self._model_docs.setdefault(model, set()).add(slot)
        self._keys.append(key)
        self._docs.append(doc)
        self._texts.append(doc.text)
        self._slot[key] = slot

    def remove(self, key: str) -> None:
        """Drop `key` from the index (no error if absent)."""
        slot = self._slot.pop(key, None)
        if slot is None:
            return
        self._doc_totals = {}  # renewed, not cleared: a running search keeps its own
        doc = self._doc(slot)
        # The trigrams are recomputed from the text rather than stored per document (memory).
        for gid in (self._gram_id[g] for g in _trigrams(doc.text)):
            self._gram_df[gid] -= 1
        for tok in doc.tokens:
            self._token_df[tok] -= 1
            if self._token_df[tok]:
                self._token_w[tok] = idf(self._token_df[tok])
            else:
                del self._token_df[tok], self._token_w[tok]
        if slot >= self._base:  # a frozen slot leaves the frozen model map as a tombstone
            for model in doc.model_keys:
                self._model_docs[model].discard(slot)
                if not self._model_docs[model]:
                    del self._model_docs[model]
        self._keys[slot] = None
        if slot >= self._base:
            self._docs[slot - self._base] = None
            self._texts[slot - self._base] = ""
        self._dead += 1
        if self._dead > 1000 and self._dead * 4 > len(self._keys):
            self._compact()

    def _compact(self) -> None:
        """Rebuild the postings without tombstones, keeping the documents' order."""
        live = [(k, self._text(s)) for s, k in enumerate(self._keys) if k is not None]
        self._reset()
        for key, text in live:
            self.add(key, text)

    def freeze(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The whole index as flat arrays and a small picklable state (see `thaw`)."""
        n = len(self._keys)
        alive = np.array([k is not None for k in self._keys], dtype=np.uint8)
        live = list(enumerate(self._keys))
        keys = [(k or "").encode() for k in self._keys]
        texts = [self._text(s).encode() if k is not None else b"" for s, k in live]
        features = {s: self._doc(s) for s, k in live if k is not None}
        docs = [_encode_doc(features[s]) if s in features else b"" for s, _ in live]
        model_slots: dict[bytes, list[int]] = {}
        for s, doc in features.items():
            for model in doc.model_keys:
                model_slots.setdefault(model.encode(), []).append(s)
        models = sorted(model_slots)
        grams = [b""] * len(self._gram_df)
        for gram, gid in self._gram_id.items():
            grams[gid] = gram.encode()
        lists = [self._postings_of(g) for g in range(len(self._gram_df))]
        post_off = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in lists], out=post_off[1:])
        arrays: dict[str, np.ndarray] = {
            "alive": alive,
            "post": np.concatenate([np.zeros(0, np.int32), *lists]).astype(np.int32),
            "post_off": post_off,
            "gram_df": np.array(self._gram_df, dtype=np.int64),
        }
        for name, items in (("key", keys), ("text", texts), ("doc", docs), ("gram", grams),
                            ("model", models)):  # fmt: skip
            arrays[f"{name}_blob"], arrays[f"{name}_off"] = _pack(items)
        model_lists = [np.array(model_slots[m], dtype=np.int32) for m in models]
        arrays["model_post"] = np.concatenate([np.zeros(0, np.int32), *model_lists])
        arrays["model_post_off"] = np.zeros(len(models) + 1, dtype=np.int64)
        np.cumsum([len(m) for m in model_lists], out=arrays["model_post_off"][1:])
        state = {
            "slots": n,
            "shortlist": self.shortlist,
            "postings_budget": self.postings_budget,
            "weights": self.weights,
            "token_df": self._token_df,
            "dead": self._dead,
        }
        return arrays, state

    @classmethod
    def thaw(cls, arrays: dict[str, np.ndarray], state: dict[str, Any]) -> TextIndex:
        """An index over `freeze()`'s arrays, read in place (they may be read-only, mapped)."""
        index = cls(shortlist=state["shortlist"], postings_budget=state["postings_budget"],
                    weights=state["weights"])  # fmt: skip
        # Plain ndarray views (a `numpy.memmap` pays for its subclass on every slice).
        arrays = {name: np.asarray(array) for name, array in arrays.items()}
        keys = _unpack(arrays["key_blob"], arrays["key_off"])
        alive = arrays["alive"].tolist()
        index._keys = [k if a else None for k, a in zip(keys, alive, strict=True)]
        index._slot = {k: s for s, k in enumerate(index._keys) if k is not None}
        grams = _unpack(arrays["gram_blob"], arrays["gram_off"])
        index._gram_id = {g: i for i, g in enumerate(grams)}
        index._gram_df = arrays["gram_df"].tolist()
        index._base = int(state["slots"])
        index._post, index._post_off = arrays["post"], arrays["post_off"]
        index._text_blob, index._text_off = arrays["text_blob"], arrays["text_off"]
        index._doc_blob, index._doc_off = arrays["doc_blob"], arrays["doc_off"]
        index._text_mem, index._doc_mem = index._text_blob.data, index._doc_blob.data
        index._token_df = dict(state["token_df"])
        index._token_w = _Weights({t: idf(df) for t, df in index._token_df.items()})
        index._model_blob, index._model_off = arrays["model_blob"], arrays["model_off"]
        index._model_post, index._model_post_off = arrays["model_post"], arrays["model_post_off"]
        index._model_mem = index._model_blob.data
        index._dead = int(state["dead"])
        return index

    def _text(self, slot: int) -> str:
        """The normalised text of a live slot."""
        if slot >= self._base:
            return self._texts[slot - self._base]
        off = self._text_off
        return str(self._text_mem[int(off[slot]) : int(off[slot + 1])], "utf-8")

    def _texts_of(self, slots: np.ndarray) -> list[str]:
        """The normalised texts of live slots given in ascending order."""
        base = self._base
        frozen = slots[: int(np.searchsorted(slots, base))]
        starts, ends = self._text_off[frozen].tolist(), self._text_off[frozen + 1].tolist()
        mem, tail = self._text_mem, self._texts
        out = [str(mem[a:b], "utf-8") for a, b in zip(starts, ends, strict=True)]
        out += [tail[s - base] for s in slots[len(frozen) :].tolist()]
        return out

    def _doc(self, slot: int) -> TextFeatures:
        """The features of a live slot (decoded from the frozen blob for a frozen slot)."""
        if slot >= self._base:
            doc = self._docs[slot - self._base]
            assert doc is not None
            return doc
        off = self._doc_off
        blob = self._doc_mem[int(off[slot]) : int(off[slot + 1])]
        toks, models, keys, roots, sizes = marshal.loads(blob)  # noqa: S302 - our own freeze()
        return TextFeatures(self._text(slot), frozenset(toks), frozenset(models),
                            frozenset(keys), frozenset(roots), frozenset(sizes))  # fmt: skip

    def _postings_of(self, gid: int) -> np.ndarray:
        """The slots holding gram `gid`, ascending: the frozen ones, then the tail's."""
        more = self._more.get(gid)
        if gid < len(self._post_off) - 1:
            base = self._post[self._post_off[gid] : self._post_off[gid + 1]]
            if not more:
                return base
            return np.concatenate((base, np.frombuffer(more, dtype=np.int32)))
        return np.frombuffer(more, dtype=np.int32) if more else self._post[:0]

    def _postings_len(self, gid: int) -> int:
        more = self._more.get(gid)
        n = len(more) if more else 0
        if gid < len(self._post_off) - 1:
            n += int(self._post_off[gid + 1] - self._post_off[gid])
        return n

    def _model_hits(self, query: TextFeatures) -> set[int]:
        """Documents sharing a model number with the query (unless the number is commonplace)."""
        hits: set[int] = set()
        for key in sorted(query.model_keys):
            docs = self._model_docs.get(key, set())
            frozen = self._frozen_model_slots(key)
            if frozen:
                docs = docs | set(frozen)
            if len(docs) <= MAX_MODEL_HITS:
                hits |= docs
        return hits

    def _frozen_model_slots(self, key: str) -> list[int]:
        """The live frozen slots with model number `key` (a binary search of the sorted blob)."""
        off, mem = self._model_off, self._model_mem
        target, lo, hi = key.encode(), 0, len(off) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if bytes(mem[int(off[mid]) : int(off[mid + 1])]) < target:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(off) - 1 or bytes(mem[int(off[lo]) : int(off[lo + 1])]) != target:
            return []
        a, b = int(self._model_post_off[lo]), int(self._model_post_off[lo + 1])
        keys = self._keys
        return [s for s in self._model_post[a:b].tolist() if keys[s] is not None]

    def candidates(self, query: TextFeatures) -> tuple[np.ndarray, np.ndarray]:
        """Shortlist slots for a query (ascending) and their trigram coverage of it, in [0, 1]."""
        ids = [self._gram_id.get(g, -1) for g in _trigrams(query.text)]
        df = self._gram_df
        # Rarest first; stop adding grams once the postings budget is spent.
        known = sorted((df[g], g) for g in ids if g >= 0 and df[g] > 0)
        chosen: list[int] = []
        spent = 0
        for _, gid in known:
            size = self._postings_len(gid)
            if chosen and spent + size > self.postings_budget:
                break
            chosen.append(gid)
            spent += size
        hits = self._model_hits(query)
        extra = np.array(sorted(hits), dtype=np.int64)
        if chosen:
            lists = [self._postings_of(g) for g in chosen]
            ends = np.cumsum([len(p) for p in lists], dtype=np.int64)
            weights = np.array([_idf(df[g]) for g in chosen], dtype=np.float64)
            top, top_scores, extra_scores = _shortlist(
                np.concatenate(lists), ends, weights, self._scratch_for(), self.shortlist, extra
            )
            score_of = dict(zip(extra.tolist(), extra_scores.tolist(), strict=True))
            score_of.update(zip(top.tolist(), top_scores.tolist(), strict=True))
        else:
            score_of = dict.fromkeys(extra.tolist(), 0.0)
        # Coverage is measured against every query trigram, so a skipped common gram still counts.
        total = sum(_idf(d) for d, _ in known) + (len(ids) - len(known)) * _UNSEEN
        live = np.array(sorted(s for s in score_of if self._keys[s] is not None), dtype=np.int64)
        scores = np.array([score_of[s] for s in live.tolist()], dtype=np.float64)
        return live, np.minimum(1.0, scores / total) if total else np.zeros(len(live))

    def _scratch_for(self) -> np.ndarray:
        """A zeroed score array with a cell per slot, grown (doubling) as documents arrive."""
        if len(self._scratch) < len(self._keys):
            self._scratch = np.zeros(max(len(self._keys), 2 * len(self._scratch)))
        return self._scratch

    def search(
        self, query: str, *, limit: int = 10, score_cutoff: float = 0.0
    ) -> list[tuple[str, float]]:
        """Best matching keys for `query` with scores in [0, 1], best first, ties by key."""
        q = features(query)
        if not q.text:
            return []
        slots, cover = self.candidates(q)
        if not len(slots):
            return []
        texts = self._texts_of(slots)
        ratios = process.cdist([q.text], texts, scorer=fuzz.token_set_ratio, dtype=np.float64)[0]
        ratios /= 100.0
        w = self.weights
        # A cheap first score picks the few documents worth the full similarity; model hits stay.
        pre = w.token_set * ratios + w.trigram * cover
        order = np.lexsort((slots, -pre))[: w.prefilter]
        keep = {int(slots[i]) for i in order} | self._model_hits(q)
        where = dict(zip(slots.tolist(), range(len(slots)), strict=True))
        weight = self._token_w.__getitem__
        q_total = sum(map(weight, q.tokens))
        totals = self._doc_totals
        hits: list[tuple[str, float]] = []
        for slot in sorted(keep):
            i = where[slot]
            doc, key = self._doc(slot), self._keys[slot]
            assert key is not None
            d_total = totals.get(slot)
            if d_total is None:
                d_total = totals[slot] = sum(map(weight, doc.tokens))
            score = combine(q, doc, token_set=float(ratios[i]), trigram=float(cover[i]),
                            weight=weight, weights=w, totals=(q_total, d_total))  # fmt: skip
            if score >= score_cutoff:
                hits.append((key, round(score, 6)))
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:limit]

    @property
    def token_weights(self) -> Callable[[str], float]:
        """`token_weight` as the table's own lookup (no Python call per token)."""
        return self._token_w.__getitem__

    def token_weight(self, token: str) -> float:
        """The IDF weight of a normalised token here (a token no document has weighs the most)."""
        return self._token_w[token]

    def score(self, query: str, text: str) -> float:
        """Similarity of `query` to any `text`, with token weights from this index."""
        q, d = features(query), features(text)
        qg, dg = _trigrams(q.text), _trigrams(d.text)
        gw = {
            g: idf(self._gram_df[self._gram_id[g]]) if g in self._gram_id else _UNSEEN for g in qg
        }
        cover = sum(gw[g] for g in qg & dg) / (sum(gw.values()) or 1.0)
        return combine(q, d, token_set=token_set(q, d), trigram=cover,
                       weight=self._token_w.__getitem__, weights=self.weights)  # fmt: skip
