"""`countermark rescore ID`: reproduce a stored screening, or show what changed since."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.database import open_settings
from catalog.core.db import create_database
from catalog.core.errors import NotFound


def rescore_command(
    screening_id: Annotated[str, typer.Argument(help="id of the stored screening")],
) -> None:
    """Score a stored screening again; exit 0 if the result is reproduced exactly, 1 if not."""
    from catalog.screening.rescore import rescore  # the engine loads only for this command

    console = Console()
    database = create_database(open_settings())
    try:
        report = rescore(engine=database.engine, screening_id=screening_id)
    except NotFound as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    finally:
        database.dispose()
    table = Table("version", "stored", "now", title=f"screening {screening_id}")
    for name, (old, new) in report.versions.items():
        mark = "" if old == new else " (changed)"
        table.add_row(name, str(old), f"{new}{mark}")
    console.print(table)
    if report.identical:
        changed = ", ".join(report.versions_changed)
        note = f" (although {changed} changed)" if changed else ""
        console.print(f"reproduced exactly: the rescored result equals the stored one{note}")
        return
    if not report.versions_changed:
        console.print("[red]the result differs although no version changed[/red]")
    console.print(f"{len(report.differences)} difference(s), stored -> now:")
    for line in report.differences:
        console.print(line, markup=False, highlight=False)
    raise typer.Exit(1)
