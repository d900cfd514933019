"""TextIndex: retrieval, model numbers, add/replace/remove, determinism, sub-linear shortlist."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchers.text.index as text_index
from matchers.records import ProductRecord
from matchers.text._kernel import shortlist as compiled_shortlist
from matchers.text.index import TextIndex, _shortlist_numpy, features, product_document

CATALOGUE = {
    "sony-ps": "Sony PS-LX350H Belt Drive Turntable",
    "sony-dvp": "Sony DVP-FX820 Portable DVD Player",
    "sony-dvp-r": "Sony DVP-FX820/R Portable DVD Player Red",
    "bose-am5": "Bose Acoustimass 5 Series III Speaker System AM53BK",
    "bose-am6": "Bose Acoustimass 6 Series III Home Theater Speaker System AM6BK",
    "nike-peg": "Nike Air Zoom Pegasus 40 running shoe DV3853-001",
    "nike-peg-w": "Nike Air Zoom Pegasus 40 running shoe women DV3854-100",
    "lv-speedy": "Louis Vuitton Speedy 30 monogram canvas handbag",
    "logi-c270": "Logitech HD Webcam C270",
    "logi-c920": "Logitech HD Pro Webcam C920",
}


def build(docs: dict[str, str] = CATALOGUE) -> TextIndex:
    index = TextIndex()
    for key, text in docs.items():
        index.add(key, text)
    return index


def best(index: TextIndex, query: str) -> str:
    return index.search(query, limit=1)[0][0]


def test_finds_the_product_from_a_declared_description() -> None:
    index = build()
    assert best(index, "sony turntable pslx350h") == "sony-ps"
    assert best(index, "Bose Acoustimass 5 Series III Speaker System - AM53BK") == "bose-am5"
    assert best(index, "mens running shoes nike air zoom pegasus") in {"nike-peg", "nike-peg-w"}
    assert best(index, "louis vuiton speedy bag") == "lv-speedy"  # a typo still matches


def test_model_number_decides_between_siblings() -> None:
    index = build()
    assert best(index, "Nike Pegasus DV3854-100") == "nike-peg-w"
    assert best(index, "Nike Pegasus DV3853001") == "nike-peg"
    assert best(index, "Sony portable DVD DVP-FX820/R") == "sony-dvp-r"
    assert best(index, "Logitech webcam C920") == "logi-c920"
    # The same words with a different model number of the brand score lower.
    same = index.score("Logitech HD Webcam C270", CATALOGUE["logi-c270"])
    other = index.score("Logitech HD Webcam C270", "Logitech HD Webcam C310")
    assert same > other


def test_model_number_written_in_pieces() -> None:
    q = features("Sennheiser SH 350 IP headset")
    assert "sh350ip" in q.model_keys
    index = build({"a": "Sennheiser headset SH350IP", "b": "Sennheiser headset SH330"})
    assert best(index, "Sennheiser SH 350 IP headset") == "a"


def test_scores_are_in_unit_range_and_sorted() -> None:
    index = build()
    hits = index.search("sony dvd player", limit=10)
    assert hits
    assert all(0.0 <= s <= 1.0 for _, s in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert index.search("sony dvd player", limit=10, score_cutoff=0.99) == [
        h for h in hits if h[1] >= 0.99
    ]
    assert index.search("") == []
    assert index.search("zzzz qqqq") == []


def test_add_replace_remove() -> None:
    index = build()
    assert len(index) == len(CATALOGUE)
    index.add("sony-ps", "Technics SL-1200 direct drive turntable")  # replaces the text
    assert len(index) == len(CATALOGUE)
    assert best(index, "technics sl1200 turntable") == "sony-ps"
    assert all(k != "sony-ps" or s < 0.5 for k, s in index.search("sony pslx350h"))
    index.remove("sony-ps")
    index.remove("sony-ps")  # absent: no error
    assert "sony-ps" not in index
    assert len(index) == len(CATALOGUE) - 1
    assert all(k != "sony-ps" for k, _ in index.search("technics sl1200 turntable"))


def test_compaction_keeps_results() -> None:
    rnd = random.Random(3)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    index = TextIndex()
    docs = {}
    for i in range(3000):
        docs[f"k{i}"] = " ".join(rnd.sample(words, 4)) + f" MX{i:04d}"
        index.add(f"k{i}", docs[f"k{i}"])
    before = index.search("alpha bravo charlie delta MX2999", limit=5)
    for i in range(0, 2000):  # over a quarter removed: the arrays are compacted
        index.remove(f"k{i}")
    assert len(index) == 1000
    assert index.search("alpha bravo charlie delta MX2999", limit=5)[0][0] == before[0][0]
    assert best(index, docs["k2500"]) == "k2500"


def test_deterministic_across_insertion_orders() -> None:
    keys = sorted(CATALOGUE)
    a = build({k: CATALOGUE[k] for k in keys})
    b = build({k: CATALOGUE[k] for k in reversed(keys)})
    for query in ["sony", "nike pegasus 40", "bose speaker system", "webcam"]:
        assert a.search(query) == b.search(query)
        assert a.search(query) == a.search(query)


def test_shortlist_is_bounded_by_a_count_not_the_catalogue() -> None:
    rnd = random.Random(5)
    vocab = [f"w{n}" for n in range(400)]
    index = TextIndex(shortlist=50, postings_budget=5000)

    def shortlist_size(size: int) -> int:
        while len(index) < size:
            i = len(index)
            index.add(f"p{i}", " ".join(rnd.sample(vocab, 4)))
        slots, _ = index.candidates(features("w1 w2 w3 w4 w5 w6"))
        return len(slots)

    small, large = shortlist_size(300), shortlist_size(3000)
    assert small <= 50
    assert large <= 50  # ten times the catalogue, the same number of documents reranked


def test_product_document() -> None:
    p = ProductRecord(
        product_id="p1",
        rights_holder_id="rh",
        brand="Nike",
        name="Air Zoom Pegasus 40",
        model="DV3853-001",
        description="A long description that is not indexed.",
    )
    assert product_document(p) == "Nike Air Zoom Pegasus 40 DV3853-001"
    q = replace(p, name="Air Zoom Pegasus 40 DV3853-001")
    assert product_document(q) == "Nike Air Zoom Pegasus 40 DV3853-001"


# Related documents use letters a-m; an unrelated one only n-z, so it shares no token or trigram.
RELATED = st.text(alphabet="abcdefghijklm ", min_size=3, max_size=30)
UNRELATED = st.text(alphabet="nopqrstuvwxyz ", min_size=3, max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(RELATED, min_size=1, max_size=8), RELATED, UNRELATED)
def test_adding_an_unrelated_document_changes_nothing(
    docs: list[str], query: str, unrelated: str
) -> None:
    index = build({f"d{i}": text for i, text in enumerate(docs)})
    before = index.search(query, limit=20)
    index.add("unrelated", unrelated)
    assert index.search(query, limit=20) == before


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=6), st.text(max_size=30))
def test_search_never_fails_and_stays_in_range(docs: list[str], query: str) -> None:
    index = build({f"d{i}": text for i, text in enumerate(docs)})
    hits = index.search(query, limit=10)
    assert all(0.0 <= s <= 1.0 for _, s in hits)
    assert len({k for k, _ in hits}) == len(hits)


def _reference_shortlist(
    lists: list[np.ndarray], weights: list[float], n: int, k: int
) -> tuple[set[int], np.ndarray]:
    """The whole-catalogue way: one bincount over every slot, then the k best (ties by slot)."""
    scores = np.bincount(np.concatenate(lists), weights=np.repeat(weights, [len(p) for p in lists]),
                         minlength=n)  # fmt: skip
    ranked = sorted(np.flatnonzero(scores > 0).tolist(), key=lambda s: (-scores[s], s))
    return set(ranked[:k]), scores


@pytest.mark.parametrize("kernel", [compiled_shortlist, _shortlist_numpy], ids=["numba", "numpy"])
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 12))
@settings(max_examples=200, deadline=None)
def test_shortlist_kernel_equals_a_full_bincount(
    kernel: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]], seed: int, k: int, grams: int
) -> None:
    # Few distinct weights and overlapping postings: many tied scores at the k-th place.
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    lists = [
        np.sort(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)).astype(np.int32)
        for _ in range(grams)
    ]
    weights = [float(w) for w in rng.choice([0.5, 1.0, 2.25, 3.1], size=grams)]
    extra = np.sort(rng.choice(n, size=min(n, 5), replace=False)).astype(np.int64)
    scratch = np.zeros(n + int(rng.integers(0, 10)))
    top, top_scores, extra_scores = kernel(
        np.concatenate(lists), np.cumsum([len(p) for p in lists], dtype=np.int64),
        np.array(weights), scratch, k, extra,
    )  # fmt: skip
    expected, scores = _reference_shortlist(lists, weights, n, k)
    assert set(top.tolist()) == expected
    assert len(top) == len(expected)
    assert top_scores.tolist() == scores[top].tolist()  # summed in the same order: bit-equal
    assert extra_scores.tolist() == scores[extra].tolist()
    assert not scratch.any()  # left all zeros for the next search


def test_searches_are_the_same_on_the_numpy_path_as_with_the_compiled_kernel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a server answers before its compiled kernel is loaded (deferred) and after.
    rng = random.Random(7)
    words = " ".join(CATALOGUE.values()).split()
    index = TextIndex()
    for i in range(400):
        index.add(f"p{i}", " ".join(rng.sample(words, rng.randint(3, 8))))
    queries = [" ".join(rng.sample(words, rng.randint(2, 6))) for _ in range(150)]
    queries += list(CATALOGUE.values())
    text_index.load_compiled_kernel()
    assert text_index.compiled_kernel_loaded()
    compiled = [index.search(q, limit=20) for q in queries]
    candidates = [index.candidates(features(q)) for q in queries]
    monkeypatch.setattr(text_index, "_compiled", None)
    monkeypatch.setattr(text_index, "_deferred", True)
    assert not text_index.compiled_kernel_loaded()
    assert [index.search(q, limit=20) for q in queries] == compiled
    for q, (slots, cover) in zip(queries, candidates, strict=True):
        numpy_slots, numpy_cover = index.candidates(features(q))
        assert numpy_slots.tolist() == slots.tolist()
        assert numpy_cover.tolist() == cover.tolist()
    assert not text_index.compiled_kernel_loaded()  # deferred: the numpy path did not load it
