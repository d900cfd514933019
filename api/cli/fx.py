"""`countermark fx import FILE`: load the European Central Bank's euro reference rates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from api.cli.database import fail, open_database
from catalog.access.keys import CLI_ACTOR
from catalog.core.errors import DomainError
from catalog.screening.ecb import VALID_DAYS, import_reference_rates

fx_app = typer.Typer(help="Exchange rates for the price features.", no_args_is_help=True)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@fx_app.command("import")
def fx_import(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="eurofxref CSV, XML or ZIP as the ECB publishes it"
        ),
    ],
    since: Annotated[
        str | None, typer.Option(help="only rates from this day on (YYYY-MM-DD)")
    ] = None,
    source: Annotated[str | None, typer.Option(help="recorded with the rates")] = None,
) -> None:
    """Import ECB reference rates (1 EUR = rate CUR); a re-import changes nothing.

    Each rate is valid from its day for a week unless a later one is published, so a
    weekend or holiday declaration is priced at the last published rate.
    """
    try:
        start = _day(since)
    except ValueError as exc:
        raise fail(f"--since {since!r} is not a YYYY-MM-DD date", 2) from exc
    _, database = open_database()
    try:
        with database.session() as session:
            result = import_reference_rates(
                session,
                actor=CLI_ACTOR,
                data=file.read_bytes(),
                source=source or f"ECB euro reference rates ({file.name})",
                since=start,
            )
    except DomainError as exc:
        raise fail(exc.detail, 2) from exc
    finally:
        database.dispose()
    span = f"{result.first_day} to {result.last_day}" if result.first_day else "no days"
    typer.echo(
        f"read {result.read} rates ({span}): {result.stored} stored, "
        f"{result.unchanged} unchanged; each valid {VALID_DAYS} days; "
        f"fx version {result.fx_version}"
    )
