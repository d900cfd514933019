"""`countermark fsck`: blobs without rows and rows without blobs, found and optionally repaired."""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.core import fsck
from catalog.core.blobs import BlobStore
from catalog.core.db import create_database
from catalog.core.migrate import upgrade_head
from catalog.core.settings import Settings


def fsck_command(
    repair: Annotated[
        bool,
        typer.Option("--repair", help="remove orphan blobs and temp files older than a minute"),
    ] = False,
) -> None:
    """Check the blob store against the database; exit 1 while something is out of place."""
    settings = Settings()
    upgrade_head(settings)
    report = run_check(settings, repair=repair)
    for line in describe(report):
        typer.echo(line)
    left = len(report.orphans) + len(report.stray_temps) - len(report.removed)
    if report.missing or left:
        raise typer.Exit(1)


def run_check(settings: Settings, *, repair: bool) -> fsck.FsckReport:
    """Check (and with `repair`, clean) the configured blob store."""
    database = create_database(settings)
    try:
        with database.session(write=False) as session:
            report = fsck.check(session, BlobStore(settings.blob_dir))
    finally:
        database.dispose()
    return fsck.repair(report) if repair else report


def describe(report: fsck.FsckReport) -> list[str]:
    """Human-readable lines: one summary, then one per problem."""
    lines = [
        f"{report.blobs} blobs, {report.rows} image rows: {len(report.orphans)} orphan blobs, "
        f"{len(report.stray_temps)} temp files, {len(report.missing)} rows without their blob, "
        f"{len(report.removed)} files removed"
    ]
    lines += [f"orphan blob: {path}" for path in report.orphans]
    lines += [f"temp file: {path}" for path in report.stray_temps]
    lines += [
        f"row without blob: {row if row.startswith('check ') else 'image ' + row} (sha256 {sha})"
        for row, sha in report.missing
    ]
    lines += [f"removed: {path}" for path in report.removed]
    return lines


def check_at_start(settings: Settings) -> None:
    """`serve`'s start-up check: print what is out of place; repair only when configured."""
    try:
        report = run_check(settings, repair=settings.fsck_repair_on_start)
    except Exception as exc:  # the check must never stop the service from starting
        typer.echo(f"fsck at start failed: {exc}", err=True)
        return
    lines = describe(report)
    for line in lines if not report.clean else lines[:1]:
        typer.echo(f"fsck: {line}", err=True)
