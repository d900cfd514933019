"""TextIndex.freeze/thaw: an index read in place from (read-only, mapped) arrays answers exactly
as the index it was frozen from, before and after later adds, replacements and removals."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from matchers.text.index import TextIndex, features
from tests.matchers.test_text_index import CATALOGUE, build

QUERIES = (
    "sony turntable pslx350h",
    "Nike Pegasus DV3854-100",
    "louis vuiton speedy bag",
    "Logitech webcam C920",
    "bose speaker am6bk home theater",
    "portable dvd player",
    "unknown gadget xyz",
)


def _mapped(index: TextIndex, folder: Path) -> TextIndex:
    arrays, state = index.freeze()
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
    loaded = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in arrays}
    assert all(not a.flags.writeable for a in loaded.values())
    return TextIndex.thaw(loaded, state)


def _same(a: TextIndex, b: TextIndex, queries: tuple[str, ...] = QUERIES) -> None:
    assert len(a) == len(b)
    for query in queries:
        assert a.search(query, limit=10) == b.search(query, limit=10)
        assert a.score(query, CATALOGUE["sony-ps"]) == b.score(query, CATALOGUE["sony-ps"])


def test_a_thawed_index_answers_as_the_frozen_one(tmp_path: Path) -> None:
    built = build()
    thawed = _mapped(built, tmp_path)
    assert "nike-peg" in thawed
    assert thawed.search("Nike Pegasus DV3854-100", limit=1)[0][0] == "nike-peg-w"
    _same(built, thawed)


def test_changes_after_thawing_go_to_the_tail_and_answer_the_same(tmp_path: Path) -> None:
    built = build()
    thawed = _mapped(built, tmp_path)
    for index in (built, thawed):
        index.add("logi-c920", "Logitech HD Pro Webcam C922 stream edition")  # frozen: replaced
        index.remove("sony-dvp")  # a frozen one removed
        index.add("sony-new", "Sony PS-LX310BT Bluetooth Turntable")  # a new one
        index.remove("sony-new")
        index.add("sony-new", "Sony PS-LX310BT wireless turntable")
    assert "sony-dvp" not in thawed
    assert thawed.search("Logitech C922", limit=1)[0][0] == "logi-c920"
    _same(built, thawed, (*QUERIES, "sony bluetooth turntable", "webcam c922"))


def test_freeze_of_a_thawed_index_with_a_tail_thaws_to_the_same(tmp_path: Path) -> None:
    built = build()
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    thawed = _mapped(built, tmp_path / "one")
    for index in (built, thawed):
        index.add("extra", "Acme Rocket skates RS-100")
        index.remove("bose-am5")
    again = _mapped(thawed, tmp_path / "two")
    _same(built, again, (*QUERIES, "acme rocket skates"))


@pytest.mark.parametrize("seed", [1, 2])
def test_churn_past_compaction_keeps_answers(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "omega", "zeta", "kappa", "sigma"]
    docs = {f"k{i}": f"{rng.choice(words)} {rng.choice(words)} M{rng.randint(100, 999)}"
            for i in range(1500)}  # fmt: skip
    built = TextIndex()
    for key, text in docs.items():
        built.add(key, text)
    thawed = _mapped(built, tmp_path)
    for index in (built, thawed):
        for key in sorted(docs)[:1200]:  # past a quarter of the slots: compacted
            index.remove(key)
        index.add("k5", "alpha omega M500")
    queries = ("alpha beta m123", "omega m500", "zeta kappa sigma")
    for query in queries:
        assert built.search(query, limit=10) == thawed.search(query, limit=10)
    assert len(thawed) == len(built) == 301


def test_model_hits_count_live_documents_across_frozen_and_tail(tmp_path: Path) -> None:
    built = TextIndex()
    for i in range(45):
        built.add(f"f{i}", f"Acme widget {i} XK500")
    thawed = _mapped(built, tmp_path)
    query = features("XK500 widget")
    assert thawed._model_hits(query) == built._model_hits(query) == set(range(45))
    for index in (built, thawed):
        for i in range(10):
            index.remove(f"f{i}")
        for i in range(12):
            index.add(f"t{i}", f"Acme gadget {i} XK500")
    assert len(built._model_hits(query)) == 47  # 35 frozen + 12 in the tail, under the cap
    assert thawed._model_hits(query) == built._model_hits(query)
    for index in (built, thawed):
        for i in range(12, 16):  # past MAX_MODEL_HITS: a commonplace number, no hits
            index.add(f"t{i}", f"Acme gadget {i} XK500")
    assert thawed._model_hits(query) == built._model_hits(query) == set()
    assert thawed._model_hits(features("ZZ9999")) == set()
    _same(built, thawed, ("acme widget xk500", "gadget 13 xk500"))
