"""FrozenMap: a mapping read in place from arrays, with changes on top, behaves as a dict."""

from __future__ import annotations

import marshal
import mmap
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.index.frozen_map import PARTS, FrozenMap, freeze, key_hash

KEYS = st.text(alphabet="abcé-0123", min_size=0, max_size=6)
VALUES = st.tuples(st.text(max_size=4), st.integers(-5, 5))
OPS = st.lists(st.tuples(st.sampled_from(["set", "del", "get"]), KEYS, VALUES), max_size=40)


def _frozen(start: dict[str, tuple[str, int]]) -> FrozenMap[tuple[str, int]]:
    return FrozenMap(freeze(start, marshal.dumps), marshal.loads)


@settings(max_examples=300, deadline=None)
@given(start=st.dictionaries(KEYS, VALUES, max_size=30), ops=OPS)
def test_behaves_as_a_dict_under_any_changes(
    start: dict[str, tuple[str, int]], ops: list[tuple[str, str, tuple[str, int]]]
) -> None:
    frozen, plain = _frozen(start), dict(start)
    for op, key, value in ops:
        if op == "set":
            frozen[key] = plain[key] = value
        elif op == "del":
            assert (key in frozen) == (key in plain)
            if key in plain:
                del frozen[key], plain[key]
        assert frozen.get(key) == plain.get(key)
        assert len(frozen) == len(plain)
    assert dict(frozen) == plain
    assert sorted(frozen) == sorted(plain)
    assert 7 not in frozen  # not a str: never a key


def test_keys_sharing_a_hash_are_told_apart() -> None:
    first, second = "xs4ibwwl", "adwoqc8j"  # found by a random search: one CRC-32 for both
    assert key_hash(first.encode()) == key_hash(second.encode())
    frozen = _frozen({first: ("a", 1), second: ("b", 2), "other": ("c", 3)})
    assert frozen[first] == ("a", 1)
    assert frozen[second] == ("b", 2)
    del frozen[first]
    assert first not in frozen
    assert frozen[second] == ("b", 2)


def test_reads_arrays_mapped_read_only_from_a_file(tmp_path: Path) -> None:
    start = {f"product-{i}": (f"M{i}", i) for i in range(200)}
    arrays = freeze(start, marshal.dumps)
    path = tmp_path / "table"
    offsets = {}
    with path.open("wb") as fh:
        for name in PARTS:
            fh.write(b"\0" * (-fh.tell() % 64))
            offsets[name] = fh.tell()
            fh.write(arrays[name].tobytes())
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    views = {
        name: np.frombuffer(mapped, arrays[name].dtype, arrays[name].size, offsets[name])
        for name in PARTS
    }
    frozen: FrozenMap[tuple[str, int]] = FrozenMap(views, marshal.loads)
    assert dict(frozen) == start
    frozen["product-3"] = ("changed", -1)  # the file is read-only: the change goes on top
    assert frozen["product-3"] == ("changed", -1)
    assert _frozen(start)["product-3"] == ("M3", 3)
