"""Which database a command uses: the server's Settings, said on stderr, never made by accident.

A command resolves COUNTERMARK_DATA_DIR / COUNTERMARK_DATABASE_URL exactly as
`countermark serve` does (the one Settings), prints `using <url>` (password masked) to
stderr so a script reading stdout's last line is not disturbed, and, except for
`migrate` and `serve`, refuses a database without the Countermark schema: a key made
there would be one the running server never sees.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from catalog.core.db import Database, create_database
from catalog.core.migrate import schema_revision, upgrade_head
from catalog.core.settings import Settings

err = Console(stderr=True)


def masked(url: str) -> str:
    """The URL with any password replaced by ***."""
    return make_url(url).render_as_string(hide_password=True)


def announce(settings: Settings) -> None:
    """Say on stderr which database this command uses."""
    err.print(
        f"using {masked(settings.database_url)}", markup=False, highlight=False, soft_wrap=True
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error on stderr; return the exit to raise."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def open_settings(*, create: bool = False) -> Settings:
    """The Settings, announced; without `create`, exit 2 unless the database has our schema."""
    settings = Settings()
    announce(settings)
    if create:
        return settings
    try:
        revision = schema_revision(settings)
    except SQLAlchemyError as exc:
        raise fail(f"cannot reach the database: {exc.__class__.__name__}: {exc}", 2) from exc
    if revision is None:
        raise fail(
            "there is no Countermark database here, and this command will not make an empty "
            "one.\nPoint it at the server's: set COUNTERMARK_DATABASE_URL (or COUNTERMARK_DATA_DIR,"
            " the folder holding countermark.db), or run it from the folder `make serve` runs in "
            "(the checkout: its ./data).\nTo make a new database on purpose, run "
            "`countermark migrate` first.",
            2,
        )
    return settings


def open_database() -> tuple[Settings, Database]:
    """Settings and a Database for a command, at the newest schema (see `open_settings`)."""
    settings = open_settings()
    upgrade_head(settings)
    return settings, create_database(settings)
