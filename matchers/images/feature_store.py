"""Reference feature blobs kept in a file, not in memory: only the shortlist is read back.

Geometric verification needs a reference's full keypoints and descriptors, but a search
verifies at most a few dozen references, so the blobs of every other one need not
occupy the process's memory. Each blob is appended to an unnamed temporary file (it
disappears with the process) and read back with one `pread` when it is verified; the
operating system's page cache keeps the often-read ones fast and can drop any of
them under memory pressure. In memory stay only an offset and a length per slot.
"""

from __future__ import annotations

import os
import tempfile
import threading


class FeatureStore:
    """Blobs by integer slot, appended to a temporary file; space is reclaimed on removal."""

    def __init__(self, directory: str | None = None) -> None:
        self._dir = directory
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 (lives with the store)
        self._fd = self._file.fileno()
        self._where: dict[int, tuple[int, int]] = {}
        self._end = 0
        self._live = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, slot: object) -> bool:
        return slot in self._where

    @property
    def file_bytes(self) -> int:
        """Bytes the file occupies (live blobs plus space not yet reclaimed)."""
        return self._end

    def put(self, slot: int, blob: bytes) -> None:
        """Store (or replace) the blob of `slot`."""
        with self._lock:
            self._drop(slot)
            written = os.pwrite(self._fd, blob, self._end)
            if written != len(blob):
                raise OSError(f"short write to the feature store ({written} of {len(blob)} bytes)")
            self._where[slot] = (self._end, len(blob))
            self._end += len(blob)
            self._live += len(blob)

    def get(self, slot: int) -> bytes:
        """The blob of `slot` (KeyError if absent)."""
        offset, length = self._where[slot]
        data = os.pread(self._fd, length, offset)
        if len(data) != length:
            raise OSError(f"short read from the feature store ({len(data)} of {length} bytes)")
        return data

    def remove(self, slot: int) -> None:
        """Forget `slot` (no-op if absent); the file is compacted once half of it is dead."""
        with self._lock:
            self._drop(slot)
            if self._end > 1 << 20 and self._live < self._end // 2:
                self._compact()

    def close(self) -> None:
        """Close (and so delete) the file."""
        self._file.close()

    def _drop(self, slot: int) -> None:
        old = self._where.pop(slot, None)
        if old is not None:
            self._live -= old[1]

    def _compact(self) -> None:
        fresh = tempfile.TemporaryFile(dir=self._dir)  # noqa: SIM115
        end = 0
        where: dict[int, tuple[int, int]] = {}
        for slot, (offset, length) in sorted(self._where.items(), key=lambda kv: kv[1][0]):
            os.pwrite(fresh.fileno(), os.pread(self._fd, length, offset), end)
            where[slot] = (end, length)
            end += length
        self._file.close()
        self._file, self._fd, self._where, self._end = fresh, fresh.fileno(), where, end
