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
- Only this service writes its data folder; the payload is a pickle, so the folder must not be
  writable by anyone else (as for the blobs and the SQLite file beside it).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import matchers
from catalog.index.engine_records import AliasMap
from matchers import ENGINE_VERSION
from matchers.engine import MatchIndex
from matchers.weights import DEFAULT_WEIGHTS

log = logging.getLogger(__name__)

FORMAT = 1
MAGIC = b"countermark-index-snapshot\n"
# Image state holds faiss and OpenCV objects: rebuilt from the database's image rows instead.
IMAGE_STATE = frozenset({"images", "nearcopy", "_photos", "_images_of"})


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
    """A loaded snapshot: the products' index at `catalog_version`, and the aliases it used."""

    catalog_version: int
    index: MatchIndex
    aliases: AliasMap


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
                payload = handle.read()
            if len(payload) != header["length"]:
                raise ValueError("truncated")
            if hashlib.sha256(payload).hexdigest() != header["sha256"]:
                raise ValueError("checksum mismatch")
            state: dict[str, Any] = pickle.loads(payload)  # noqa: S301 - our own data folder
        except FileNotFoundError:
            return None
        except Exception as exc:
            log.warning("index snapshot %s not used: %s", self.path, exc)
            return None
        index = MatchIndex()
        index.__dict__.update(state["index"])
        return Snapshot(int(header["catalog_version"]), index, state["aliases"])

    def write(self, *, catalog_version: int, index: MatchIndex, aliases: AliasMap) -> bool:
        """Store the products' part of `index` as of `catalog_version`, atomically."""
        state = {k: v for k, v in index.__dict__.items() if k not in IMAGE_STATE}
        try:
            payload = pickle.dumps(
                {"index": state, "aliases": dict(aliases)}, protocol=pickle.HIGHEST_PROTOCOL
            )
        except Exception as exc:  # a part of the index that cannot be stored: start as before
            log.warning("index snapshot not written: %s", exc)
            return False
        header = {
            "key": self.key,
            "catalog_version": catalog_version,
            "products": len(index),
            "length": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC)
                handle.write(json.dumps(header).encode() + b"\n")
                handle.write(payload)
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
