"""Blob store against the database: orphan blobs, rows whose blob is missing, stray temp files.

An upload writes its blob first and its row in the request's transaction, so a
process killed in between leaves a blob no row names (an orphan) and, at worst, a
`.tmp-*` file of a write cut short. Neither is ever served; `repair` removes those
older than `min_age` (a younger one may belong to an upload still running). A row
whose blob is missing cannot be repaired from here: it is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from catalog.core.blobs import BlobStore
from catalog.models import OfficerCheck, ProposedReference, ReferenceImage

DEFAULT_MIN_AGE_SECONDS = 60.0


@dataclass
class FsckReport:
    """What a check found and, after a repair, what it removed."""

    blobs: int = 0
    rows: int = 0
    orphans: list[Path] = field(default_factory=list)
    stray_temps: list[Path] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (image id, sha256)
    removed: list[Path] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing is out of place."""
        return not (self.orphans or self.stray_temps or self.missing)


def check(session: Session, blobs: BlobStore) -> FsckReport:
    """Compare the blob store with the reference-image rows; change nothing."""
    report = FsckReport()
    stored: dict[str, Path] = {}
    for path in _files(blobs.root):
        if path.name.startswith(".tmp-"):
            report.stray_temps.append(path)
        else:
            stored[path.name] = path
    report.blobs = len(stored)
    named: set[str] = set()
    for image_id, sha256 in session.exec(select(ReferenceImage.id, col(ReferenceImage.sha256))):
        report.rows += 1
        named.add(sha256)
        if sha256 not in stored:
            report.missing.append((image_id, sha256))
    # Officers' check photos (and the proposals offering them) live in the same store:
    # they are no orphans, and one whose blob is gone is a row without its blob.
    for check_id, photo in session.exec(
        select(OfficerCheck.id, col(OfficerCheck.photo_sha256)).where(
            col(OfficerCheck.photo_sha256).is_not(None)
        )
    ):
        report.rows += 1
        named.add(str(photo))
        if photo not in stored:
            report.missing.append((f"check {check_id}", str(photo)))
    named.update(str(s) for s in session.exec(select(col(ProposedReference.photo_sha256))))
    report.orphans = [path for sha, path in sorted(stored.items()) if sha not in named]
    return report


def repair(report: FsckReport, *, min_age_seconds: float = DEFAULT_MIN_AGE_SECONDS) -> FsckReport:
    """Remove the orphans and stray temp files of `report` older than `min_age_seconds`."""
    cutoff = time.time() - min_age_seconds
    for path in [*report.orphans, *report.stray_temps]:
        try:
            if path.stat().st_mtime <= cutoff:
                path.unlink()
                report.removed.append(path)
        except FileNotFoundError:  # removed meanwhile (another repair)
            continue
    return report


def _files(root: Path) -> list[Path]:
    # The layout is root/ab/cd/<sha256>; anything else in there is not ours to judge.
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("??/??/*") if p.is_file())
