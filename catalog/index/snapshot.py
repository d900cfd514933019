"""The products' matching index of a catalogue version, kept in the data folder for the next start.

Building the index from the database means reading every product and computing its text,
brand and trade features again (10-13 s at 100k products, minutes at 1M). A snapshot file
holds that built state (products, text, brands, facts, GTINs: everything of a `MatchIndex`
except its images, whose indexes are rebuilt from the database as before) with the catalogue
version it is exact for. A starting worker loads it and applies the catalogue's changes since
that version (`catalog_delta.fetch_delta`), so it is current before it says it is ready.

- One builder: the first worker to find no usable snapshot takes a file lock and builds;
  the others wait on the lock and then load what it wrote instead of building too.
- Atomic: written to a temporary file in the same folder, fsynced, renamed over, and the folder
  fsynced; a reader sees the old file or the new one, never half of one.
- Invalidated by anything that changes what the index holds: ENGINE_VERSION, the weights
  version, the source of the `matchers` package, the Python and numpy versions, the snapshot
  format and the database's URL are all in the file's key (its name and its header). A file
  whose header, length or checksum does not match is ignored (and replaced at the next
  build), never half-used.
- Shared, not copied: the text index (postings, grams, the documents' texts and features,
  keys: most of the index's memory) is stored as flat arrays (`TextIndex.freeze`) that a
  worker maps read-only from the file (`mmap`) and searches in place, so every worker on the
  machine reads the same pages of the page cache instead of holding its own copy. The
  products, their facts, the GTIN owners, the re-ranker's product texts and the products
  of each (rights holder, brand) are mapped too
  (`frozen_map.FrozenMap`, a value decoded when read): a start unpickles no per-product
  object (unpickling the 100k products was most of a load's CPU). The rest (brands, token
  weights, the authorised party names) is a pickle each worker loads. The worker that
  builds also switches to the mapped tables once it has written the file.
- Layout: the magic line, a JSON header line (key, catalog version, where each part is, the
  pickle's SHA-256 and each array's CRC-32 and the file's length), padding to a page, then
  the pickle and the arrays, each at a 64-byte aligned offset.
- Only this service writes its data folder; part of the payload is a pickle, so the folder
  must not be writable by anyone else (as for the blobs and the SQLite file beside it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import marshal
import mmap
import os
import pickle
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

import matchers
from catalog.index.engine_records import AliasMap
from catalog.index.frozen_map import PARTS as FROZEN_PARTS
from catalog.index.frozen_map import FrozenMap, encode_fields, freeze
from matchers import ENGINE_VERSION
from matchers.engine import MatchIndex
from matchers.features.context import ProductFacts
from matchers.records import PriceRange, ProductRecord
from matchers.text.index import TextIndex
from matchers.weights import DEFAULT_WEIGHTS

log = logging.getLogger(__name__)

FORMAT = 6  # 5: the re-ranker's product texts mapped; 6: the products of each brand mapped
MAGIC = b"countermark-index-snapshot\n"
PAGE = 4096  # the pickle and the arrays start after the header, at a page boundary
ALIGN = 64
# Image state holds faiss and OpenCV objects: rebuilt from the database's image rows instead.
IMAGE_STATE = frozenset({"images", "nearcopy", "_photos", "_images_of"})


def _encode_product(product: ProductRecord) -> bytes:
    fields = [getattr(product, name) for name in _PRODUCT_FIELDS]
    price, valid_until = product.price, product.valid_until
    fields[_PRICE] = None if price is None else (price.min, price.max, price.currency)
    fields[_VALID_UNTIL] = None if valid_until is None else valid_until.toordinal()
    return marshal.dumps(tuple(fields))


def _product(blob: bytes) -> ProductRecord:
    fields = list(marshal.loads(blob))  # noqa: S302 - our own data folder
    if fields[_PRICE] is not None:
        fields[_PRICE] = PriceRange(*fields[_PRICE])
    if fields[_VALID_UNTIL] is not None:
        fields[_VALID_UNTIL] = date.fromordinal(fields[_VALID_UNTIL])
    return ProductRecord(*fields)


_PRODUCT_FIELDS = tuple(f.name for f in dataclasses.fields(ProductRecord))
_PRICE, _VALID_UNTIL = _PRODUCT_FIELDS.index("price"), _PRODUCT_FIELDS.index("valid_until")


def _facts(blob: bytes) -> ProductFacts:
    return ProductFacts(*marshal.loads(blob))  # noqa: S302 - our own data folder


def _owners(blob: bytes) -> set[str]:
    return set(marshal.loads(blob))  # noqa: S302 - our own data folder


def _encode_owners(owners: set[str]) -> bytes:
    return marshal.dumps(tuple(sorted(owners)))


# Per-product tables of the index read in place from the file (`FrozenMap`), by attribute:
# how a value is stored and read back.
MAPPED: dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]] = {
    "products": (_encode_product, _product),
    "facts": (encode_fields, _facts),
    "_gtins": (_encode_owners, _owners),
    "rerank_texts": (bytes, bytes),  # already stored as bytes (`rerank.stored_texts`)
    "_by_brand": (_encode_owners, _owners),  # (holder, brand key) -> product ids
}


def engine_key(database: str = "") -> str:
    """What the built index depends on, as a short hash (part of the file name).

    `database` names the catalogue's database (its URL without password): a data folder
    used with another database never starts from the first one's snapshot.
    """
    code = hashlib.sha256()
    root = Path(matchers.__file__).parent
    for path in sorted(root.rglob("*.py")):
        code.update(str(path.relative_to(root)).encode())
        code.update(path.read_bytes())
    parts = {
        "format": FORMAT,
        "engine": ENGINE_VERSION,
        "weights": DEFAULT_WEIGHTS.version,
        "code": code.hexdigest(),
        "python": sys.version_info[:2],
        "numpy": np.__version__,
        "database": database,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


@dataclass(slots=True)
class Snapshot:
    """A loaded snapshot: the products' index at `catalog_version`, the aliases it used and
    the authorised trade-party names its products list (`IndexHolder.parties`)."""

    catalog_version: int
    index: MatchIndex
    aliases: AliasMap
    parties: tuple[str, ...] = ()


class SnapshotStore:
    """The snapshot file of this engine in a folder, its lock, and reading and writing it."""

    def __init__(self, folder: Path, *, key: str | None = None, database: str = "") -> None:
        self.folder = folder
        self.key = key or engine_key(database)
        self.path = folder / f"index-{self.key}.snapshot"
        self._lock_path = folder / f"index-{self.key}.lock"

    @contextlib.contextmanager
    def building(self) -> Iterator[None]:
        """Hold the build lock (blocking until another process building releases it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read(self) -> Snapshot | None:
        """The stored snapshot, or None when there is none usable (logged, never raised)."""
        try:
            with self.path.open("rb") as handle:
                if handle.readline() != MAGIC:
                    raise ValueError("not a snapshot file")
                header = json.loads(handle.readline())
                if header.get("key") != self.key:
                    raise ValueError("made by another engine version")
                if os.fstat(handle.fileno()).st_size != header["size"]:
                    raise ValueError("truncated")
                data = _aligned(handle.tell(), PAGE)
                handle.seek(data + header["state"]["offset"])
                payload = handle.read(header["state"]["length"])
                if hashlib.sha256(payload).hexdigest() != header["state"]["sha256"]:
                    raise ValueError("checksum mismatch")
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            arrays: dict[str, np.ndarray] = {}
            for name, part in header["arrays"].items():
                offset = data + part["offset"]
                array = np.frombuffer(mapped, np.dtype(part["dtype"]), part["count"], offset)
                if zlib.crc32(array.data) != part["crc32"]:
                    raise ValueError(f"checksum mismatch in {name}")
                arrays[name] = array
            state: dict[str, Any] = pickle.loads(payload)  # noqa: S301 - our own data folder
            index = MatchIndex()
            index.__dict__.update(state["index"])
            for attribute, (_, decode) in MAPPED.items():
                parts = {p: arrays[f"{attribute}.{p}"] for p in FROZEN_PARTS}
                index.__dict__[attribute] = FrozenMap(parts, decode)
            index.text = TextIndex.thaw(arrays, state["text"])
        except FileNotFoundError:
            return None
        except Exception as exc:
            log.warning("index snapshot %s not used: %s", self.path, exc)
            return None
        return Snapshot(int(header["catalog_version"]), index, state["aliases"], state["parties"])

    def write(
        self,
        *,
        catalog_version: int,
        index: MatchIndex,
        aliases: AliasMap,
        parties: Iterable[str] = (),
    ) -> bool:
        """Store the products' part of `index` as of `catalog_version`, atomically."""
        skip = IMAGE_STATE | {"text"} | set(MAPPED)
        try:
            arrays, text_state = index.text.freeze()
            for attribute, (encode, _) in MAPPED.items():
                table = freeze(index.__dict__[attribute], encode)
                arrays.update({f"{attribute}.{p}": a for p, a in table.items()})
            payload = pickle.dumps(
                {
                    "index": {k: v for k, v in index.__dict__.items() if k not in skip},
                    "text": text_state,
                    "aliases": dict(aliases),
                    "parties": tuple(parties),
                },
                protocol=pickle.HIGHEST_PROTOCOL,
            )
        except Exception as exc:  # a part of the index that cannot be stored: start as before
            log.warning("index snapshot not written: %s", exc)
            return False
        parts: dict[str, dict[str, Any]] = {}
        end = len(payload)
        for name, array in arrays.items():
            offset = _aligned(end, ALIGN)
            parts[name] = {
                "dtype": array.dtype.str,
                "count": int(array.size),
                "offset": offset,
                "crc32": zlib.crc32(np.ascontiguousarray(array).data),
            }
            end = offset + array.nbytes
        header: dict[str, Any] = {
            "key": self.key,
            "catalog_version": catalog_version,
            "products": len(index),
            "state": {
                "offset": 0,
                "length": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            },
            "arrays": parts,
        }
        # The header is sized with the longest size it can name, so the data's start is fixed.
        longest = json.dumps({**header, "size": 10**18}).encode() + b"\n"
        data = _aligned(len(MAGIC) + len(longest), PAGE)
        header["size"] = data + end
        line = json.dumps(header).encode() + b"\n"
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + line)
                handle.write(b"\0" * (data - len(MAGIC) - len(line)))
                handle.write(payload)
                for name, array in arrays.items():
                    handle.write(b"\0" * (data + parts[name]["offset"] - handle.tell()))
                    handle.write(np.ascontiguousarray(array).data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        folder = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        for stale in self.folder.glob("index-*.snapshot"):  # other engine versions' files
            if stale != self.path:
                with contextlib.suppress(OSError):
                    stale.unlink()
        return True


def _aligned(offset: int, to: int) -> int:
    return -(-offset // to) * to
