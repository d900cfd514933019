"""`countermark import`: products in bulk from a CSV or NDJSON file.

This module is what `countermark import` imports (`api.cli.app` sends `import` here before
loading the other commands, as it does `serve`): the other commands' libraries (calibration,
the audit tools, the engine) cost ~1.4 s of start-up that an import never uses.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.database import err, fail, open_database
from catalog.access.keys import CLI_ACTOR
from catalog.core.errors import DomainError
from catalog.products.importing import Format, import_rows, parse_rows, sniff_format


def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or NDJSON file")],
    rights_holder: Annotated[str, typer.Option("--rights-holder", help="rights holder id")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or ndjson (default: by extension)")
    ] = None,
) -> None:
    """Import products in bulk, updating those already registered (by SKU, GTIN, brand + model
    or brand + name); bad rows are listed and make the exit code 1."""
    settings, database = open_database()
    data = file.read_bytes()
    chosen: Format = (
        "csv"
        if fmt == "csv"
        else "ndjson"
        if fmt == "ndjson"
        else sniff_format(data, filename=file.name)
    )
    started = time.perf_counter()
    # The cyclic GC walked the parsed rows and the growing batches again and again: a quarter
    # of a 100k import's CPU. This process ends with the import; what it leaves is collected
    # once at the end. (Not done in the server, where a collection pause is global.)
    gc.disable()
    try:
        rows = parse_rows(data, fmt=chosen)
        with (
            Progress(
                TextColumn("importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
            ) as progress,
            database.session() as session,
        ):
            task = progress.add_task("import", total=len(rows))
            result = import_rows(
                session,
                actor=CLI_ACTOR,
                rights_holder_id=rights_holder,
                rows=rows,
                batch_size=settings.import_batch_size,
                progress=lambda done: progress.update(task, completed=done),
            )
    except DomainError as exc:
        raise fail(exc.detail, 2) from exc
    finally:
        gc.enable()
    elapsed = time.perf_counter() - started
    for line, reason in result.errors:
        typer.echo(f"line {line}: {reason}")
    typer.echo(
        f"{result.total} rows: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.errors)} failed, in {elapsed:.2f} s"
    )
    if result.errors:
        raise typer.Exit(1)


import_app = typer.Typer(help="Countermark: counterfeit-product verification service.")
import_app.command("import")(import_file)


@import_app.callback()
def _group() -> None:
    """Countermark: counterfeit-product verification service."""
