"""The `countermark` command line: serve, keys, rights holders, import, audit.

Configuration comes from the environment, read by the same Settings as the server's:
COUNTERMARK_DATABASE_URL (default: a SQLite file in the data folder) and
COUNTERMARK_DATA_DIR (default ./data). Every command says which database it uses (on
stderr) and brings it to the newest schema; only `migrate` and `serve` create one.
"""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.audit import audit_app
from api.cli.calibrate import calibrate_command
from api.cli.database import fail, open_database, open_settings
from api.cli.fsck import fsck_command
from api.cli.fx import fx_app
from api.cli.import_products import import_file
from api.cli.lanes import lanes_app
from api.cli.purge import purge_command
from api.cli.rescore import rescore_command
from api.cli.serve import serve
from api.cli.weights import weights_app
from catalog.access.keys import CLI_ACTOR, ROLES, create_key, list_keys, revoke_key
from catalog.core.errors import DomainError
from catalog.core.migrate import upgrade_head
from catalog.products.rights_holders import create_rights_holder, list_rights_holders

app = typer.Typer(
    help="Countermark: counterfeit-product verification service.", no_args_is_help=True
)
keys_app = typer.Typer(help="Issue, list and revoke API keys.", no_args_is_help=True)
holders_app = typer.Typer(help="Manage rights holders.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(holders_app, name="rights-holders")
app.add_typer(audit_app, name="audit")
app.add_typer(fx_app, name="fx")
app.command("rescore")(rescore_command)
app.command("fsck")(fsck_command)
app.add_typer(weights_app, name="weights")
app.add_typer(lanes_app, name="lanes")
app.command("calibrate")(calibrate_command)
app.command("purge")(purge_command)
app.command("serve")(serve)
app.command("import")(import_file)


@app.command()
def migrate() -> None:
    """Create the database or bring it to the newest schema (serve does this too)."""
    upgrade_head(open_settings(create=True))
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
    _, database = open_database()
    try:
        with database.session() as session:
            key, token = create_key(
                session, actor=CLI_ACTOR, role=role, name=name, rights_holder_id=rights_holder
            )
            key_id = key.id
    except DomainError as exc:
        raise fail(exc.detail) from exc
    typer.echo(f"id: {key_id}  role: {role}  (keep the key below: it is not shown again)")
    typer.echo(token)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id")]) -> None:
    """Revoke a key (running servers refuse it within the key-cache TTL, 5 s by default)."""
    _, database = open_database()
    try:
        with database.session() as session:
            revoke_key(session, actor=CLI_ACTOR, key_id=key_id)
    except DomainError as exc:
        raise fail(exc.detail) from exc
    typer.echo(f"revoked {key_id}")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    _, database = open_database()
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
    _, database = open_database()
    with database.session() as session:
        holder = create_rights_holder(
            session, actor=CLI_ACTOR, name=name.strip(), contact_email=contact_email
        )
        holder_id = holder.id
    typer.echo(holder_id)


@holders_app.command("list")
def holders_list() -> None:
    """List rights holders."""
    _, database = open_database()
    with database.session(write=False) as session:
        for holder in list_rights_holders(session, limit=100_000):
            typer.echo(f"{holder.id}  {holder.name}")
