"""The `countermark` command line: serve, keys, rights holders, import, audit.

Configuration comes from the environment: COUNTERMARK_DATABASE_URL (default: a
SQLite file in the data folder) and COUNTERMARK_DATA_DIR (default ./data). Every
command brings the database to the newest schema first.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.fsck import check_at_start, fsck_command
from api.cli.rescore import rescore_command
from catalog.access import audit
from catalog.access.keys import CLI_ACTOR, ROLES, create_key, list_keys, revoke_key
from catalog.core.db import Database, create_database
from catalog.core.errors import DomainError
from catalog.core.migrate import upgrade_head
from catalog.core.settings import Settings
from catalog.products.importing import Format, import_rows, parse_rows, sniff_format
from catalog.products.rights_holders import create_rights_holder, list_rights_holders

app = typer.Typer(
    help="Countermark: counterfeit-product verification service.", no_args_is_help=True
)
keys_app = typer.Typer(help="Issue, list and revoke API keys.", no_args_is_help=True)
holders_app = typer.Typer(help="Manage rights holders.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the audit log.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(holders_app, name="rights-holders")
app.add_typer(audit_app, name="audit")
app.command("rescore")(rescore_command)
app.command("fsck")(fsck_command)
err = Console(stderr=True)


def _open() -> tuple[Settings, Database]:
    settings = Settings()
    upgrade_head(settings)
    return settings, create_database(settings)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    access_log: Annotated[
        bool, typer.Option(help="log one line per request (costs ~25% of peak throughput)")
    ] = False,
) -> None:
    """Apply the migrations, then serve the API with uvicorn."""
    import uvicorn

    settings = Settings()
    upgrade_head(settings)
    check_at_start(settings)
    # Image matching does small matrix products: a second BLAS thread per process made
    # verification ~3x slower on a busy 2-core host. Worker and pool processes inherit this.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers share their metrics through files; set before any worker imports them.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="countermark-metrics-")
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        access_log=access_log,
    )


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema (serve does this too)."""
    settings = Settings()
    upgrade_head(settings)
    typer.echo("database at the newest schema")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")],
    name: Annotated[str, typer.Option(help="who the key is for")],
    rights_holder: Annotated[
        str | None, typer.Option("--rights-holder", help="rights holder id (rights_holder keys)")
    ] = None,
) -> None:
    """Issue a key; the secret is printed alone on the last line, and never again."""
    _, database = _open()
    try:
        with database.session() as session:
            key, token = create_key(
                session, actor=CLI_ACTOR, role=role, name=name, rights_holder_id=rights_holder
            )
            key_id = key.id
    except DomainError as exc:
        raise _fail(exc.detail) from exc
    typer.echo(f"id: {key_id}  role: {role}  (keep the key below: it is not shown again)")
    typer.echo(token)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id")]) -> None:
    """Revoke a key (running servers refuse it within the key-cache TTL, 5 s by default)."""
    _, database = _open()
    try:
        with database.session() as session:
            revoke_key(session, actor=CLI_ACTOR, key_id=key_id)
    except DomainError as exc:
        raise _fail(exc.detail) from exc
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    _, database = _open()
    with database.session(write=False) as session:
        for key in list_keys(session):
            state = "revoked" if key.revoked_at else "live"
            holder = key.rights_holder_id or "-"
            typer.echo(f"{key.id}  {key.prefix}  {key.role:<13} {state:<7} {holder}  {key.name}")


@holders_app.command("create")
def holders_create(
    name: Annotated[str, typer.Option(help="the rights holder's name")],
    contact_email: Annotated[str | None, typer.Option(help="contact address")] = None,
) -> None:
    """Create a rights holder; its id is printed on the last line."""
    _, database = _open()
    with database.session() as session:
        holder = create_rights_holder(
            session, actor=CLI_ACTOR, name=name.strip(), contact_email=contact_email
        )
        holder_id = holder.id
    typer.echo(holder_id)


@holders_app.command("list")
def holders_list() -> None:
    """List rights holders."""
    _, database = _open()
    with database.session(write=False) as session:
        for holder in list_rights_holders(session, limit=100_000):
            typer.echo(f"{holder.id}  {holder.name}")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or NDJSON file")],
    rights_holder: Annotated[str, typer.Option("--rights-holder", help="rights holder id")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or ndjson (default: by extension)")
    ] = None,
) -> None:
    """Import products in bulk; bad rows are listed and make the exit code 1."""
    settings, database = _open()
    data = file.read_bytes()
    chosen: Format = (
        "csv"
        if fmt == "csv"
        else "ndjson"
        if fmt == "ndjson"
        else sniff_format(data, filename=file.name)
    )
    started = time.perf_counter()
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
        raise _fail(exc.detail, 2) from exc
    elapsed = time.perf_counter() - started
    for line, reason in result.errors:
        typer.echo(f"line {line}: {reason}")
    typer.echo(
        f"imported {len(result.product_ids)} of {result.total} rows, "
        f"{len(result.errors)} failed, in {elapsed:.2f} s"
    )
    if result.errors:
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every link of the audit chain; exit 1 and name the first broken row."""
    _, database = _open()
    with database.session(write=False) as session:
        report = audit.verify_chain(session)
    if not report.ok:
        typer.echo(f"audit chain BROKEN at event {report.broken_id}: {report.reason}")
        typer.echo(f"{report.checked} events before it are intact")
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {report.checked} events")
