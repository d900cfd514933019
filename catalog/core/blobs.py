"""A content-addressed blob store in a folder: bytes are filed under their SHA-256.

Writes go to a temporary file in the same folder, are fsynced, then renamed into
place, so a reader never sees half a file and a crash leaves at most a stray temp.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

from catalog.core.errors import InsufficientStorage, ServiceUnavailable

_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class BlobStore:
    """Blobs under `root/ab/cd/<sha256>`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the blob with this hash lives."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its SHA-256 hex; 507 when full, 503 when unwritable."""
        try:
            return self._put(data)
        except OSError as exc:
            if exc.errno in _FULL:
                raise InsufficientStorage("the image store is full") from exc
            raise ServiceUnavailable(f"the image store cannot be written: {exc.strerror}") from exc

    def _put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest

    def get(self, sha256: str) -> bytes:
        """The bytes of a stored blob (FileNotFoundError if absent)."""
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""
        return self.path(sha256).is_file()


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
