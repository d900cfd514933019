"""`countermark rescore ID`: reproduce a stored screening as recorded; show what differs today."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.database import open_settings
from catalog.core.db import create_database
from catalog.core.errors import NotFound
from catalog.core.settings import pseudonym_secret


def rescore_command(
    screening_id: Annotated[str, typer.Argument(help="id of the stored screening")],
) -> None:
    """Score a stored screening again against the catalogue as it was; exit 0 if reproduced
    exactly, 1 if not, 2 if there is no such screening. What would differ today is listed."""
    from catalog.screening.rescore import rescore_as_recorded  # the engine loads only here

    console = Console()
    settings = open_settings()
    database = create_database(settings)
    try:
        as_recorded, today = rescore_as_recorded(
            engine=database.engine,
            screening_id=screening_id,
            pseudonym_key=pseudonym_secret(settings),
        )
    except NotFound as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    finally:
        database.dispose()
    table = Table("version", "stored", "now", title=f"screening {screening_id}")
    for name, (old, new) in today.versions.items():
        mark = "" if old == new else " (changed)"
        table.add_row(name, str(old), f"{new}{mark}")
    console.print(table)
    if today.identical:
        console.print("today: the same result as stored")
    else:
        console.print(f"today: {len(today.differences)} difference(s), stored -> now:")
        for line in today.differences:
            console.print(line, markup=False, highlight=False)
    version = as_recorded.versions["catalog_version"][0]
    if as_recorded.identical:
        console.print(
            f"reproduced exactly: scored against the catalogue as of version {version}, "
            "the result equals the stored one"
        )
        return
    console.print(f"[red]NOT reproduced against the catalogue as of version {version}:[/red]")
    for line in as_recorded.differences:
        console.print(line, markup=False, highlight=False)
    raise typer.Exit(1)
