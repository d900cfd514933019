"""A mapping read in place from a snapshot's arrays, with later changes held on top.

A worker loading the index snapshot would otherwise unpickle one Python object per
product for each of the index's per-product tables (features' facts, GTIN owners): at
100k products that is tens of MB of heap per worker and most of the load's CPU.
`FrozenMap` keeps such a table as flat arrays (the keys' CRC-32s, sorted;
the keys and the encoded values as byte blobs with offsets) that may be read-only views
of the mapped file, so every worker reads the same page-cache pages, and decodes a value
only when it is asked for. Writes go to an ordinary dict on top; a frozen key replaced or
deleted is remembered as dead. A value read is a fresh object: change it by assigning it
back, never in place.
"""

from __future__ import annotations

import bisect
import marshal
import zlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import TypeVar

import numpy as np

V = TypeVar("V")
PARTS = ("hash", "key_blob", "key_off", "val_blob", "val_off", "order")


def key_hash(key: bytes) -> int:
    """A key's hash, the same in every process (unlike `hash`); keys sharing one are told
    apart by the key itself, so a collision costs a comparison, never a wrong answer."""
    return zlib.crc32(key)


def freeze(mapping: Mapping[str, V], encode: Callable[[V], bytes]) -> dict[str, np.ndarray]:
    """`mapping` as the arrays `FrozenMap` reads (by hash, then key), with its order."""
    items = sorted(
        (key_hash(k.encode()), k.encode(), encode(v), n) for n, (k, v) in enumerate(mapping.items())
    )
    arrays = {"hash": np.array([h for h, _, _, _ in items], dtype=np.int64)}
    arrays["key_blob"], arrays["key_off"] = _pack([k for _, k, _, _ in items])
    arrays["val_blob"], arrays["val_off"] = _pack([v for _, _, v, _ in items])
    # The stored position of the n-th key of `mapping`: iteration follows the mapping's order.
    order = np.zeros(len(items), dtype=np.int64)
    order[[n for _, _, _, n in items]] = np.arange(len(items), dtype=np.int64)
    arrays["order"] = order
    return arrays


def _pack(blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    off = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=off[1:])
    return np.frombuffer(b"".join(blobs), dtype=np.uint8), off


def _bytes(array: np.ndarray) -> memoryview[int]:
    """The array's bytes as a memoryview (slices of it stay in C)."""
    return array.data.cast("B")


def _ints(array: np.ndarray) -> memoryview[int]:
    """An int64 array as a memoryview of ints (bisect and indexing stay in C)."""
    return array.data.cast("B").cast("q")


def encode_fields(value: object) -> bytes:
    """A flat dataclass's fields (str, numbers, None and tuples of them), marshalled."""
    return marshal.dumps(tuple(getattr(value, name) for name in value.__slots__))  # type: ignore[attr-defined]


class FrozenMap(MutableMapping[str, V]):
    """`freeze()`'s arrays as a mapping from str keys to values made by `decode`."""

    def __init__(self, arrays: Mapping[str, np.ndarray], decode: Callable[[bytes], V]) -> None:
        self._hash = _ints(arrays["hash"])
        self._key_blob, self._key_off = _bytes(arrays["key_blob"]), _ints(arrays["key_off"])
        self._val_blob, self._val_off = _bytes(arrays["val_blob"]), _ints(arrays["val_off"])
        self._order = _ints(arrays["order"])
        self._n = len(self._hash)
        self._decode = decode
        self._over: dict[str, V] = {}
        self._dead: set[str] = set()

    def _find(self, key: str) -> int:
        """The frozen position of `key` (dead or not), or -1."""
        target = key.encode()
        h, hashes, off, blob = key_hash(target), self._hash, self._key_off, self._key_blob
        i = bisect.bisect_left(hashes, h)
        while i < self._n and hashes[i] == h:
            if blob[off[i] : off[i + 1]] == target:
                return i
            i += 1
        return -1

    def _frozen_live(self, key: str) -> bool:
        return key not in self._dead and self._find(key) >= 0

    def __getitem__(self, key: str) -> V:
        if key in self._over:
            return self._over[key]
        i = -1 if key in self._dead else self._find(key)
        if i < 0:
            raise KeyError(key)
        return self._decode(bytes(self._val_blob[self._val_off[i] : self._val_off[i + 1]]))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self._over or self._frozen_live(key))

    def __setitem__(self, key: str, value: V) -> None:
        if key not in self._over and self._frozen_live(key):
            self._dead.add(key)  # shadowed by the value on top
        self._over[key] = value

    def __delitem__(self, key: str) -> None:
        if key in self._over:
            del self._over[key]  # a frozen key it shadowed is dead already
        elif self._frozen_live(key):
            self._dead.add(key)
        else:
            raise KeyError(key)

    def __len__(self) -> int:
        return self._n - len(self._dead) + len(self._over)

    def __iter__(self) -> Iterator[str]:
        off, dead = self._key_off, self._dead
        blob = bytes(self._key_blob)
        text = str(blob, "utf-8")
        ascii_keys = len(text) == len(blob)  # ids: slicing the text decoded once is faster
        for i in self._order:  # the frozen keys in the order of the map that was frozen
            start, end = off[i], off[i + 1]
            key = text[start:end] if ascii_keys else str(blob[start:end], "utf-8")
            if key not in dead:
                yield key
        yield from list(self._over)
