"""`countermark purge --older-than DAYS`: remove personal data past retention (audited)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.database import open_database
from catalog.access.keys import CLI_ACTOR
from catalog.access.retention import purge
from catalog.core.blobs import BlobStore


def purge_command(
    older_than: Annotated[
        int, typer.Option("--older-than", min=1, help="retention in days; older records lose it")
    ],
) -> None:
    """Remove declared parties, officers' notes, check texts and photos from records older
    than DAYS; the decision log still verifies. Exit 1 if a record was refused (edited)."""
    settings, database = open_database()
    try:
        with database.session() as session:
            report = purge(
                session,
                older_than_days=older_than,
                actor=CLI_ACTOR,
                blobs=BlobStore(settings.blob_dir),
            )
    finally:
        database.dispose()
    counts = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(report.redacted.items()))
    typer.echo(
        f"purged personal data created before {report.cutoff.isoformat()}: "
        f"{counts or 'nothing to remove'}; {report.blobs_deleted} photo(s) deleted"
    )
    for kind, record_id in report.refused:
        typer.echo(f"refused {kind} {record_id}: it no longer matches its logged digest")
    if report.refused:
        raise typer.Exit(1)
