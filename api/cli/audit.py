"""`countermark audit ...`: verify the catalogue audit chain and the decision log, sign heads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.database import open_database, open_settings
from catalog.access import audit, decision_log, signing
from catalog.access.keys import CLI_ACTOR
from catalog.core.db import create_database
from catalog.screening.proof import check_proof

audit_app = typer.Typer(
    help="Check the audit and decision logs; sign and check heads.", no_args_is_help=True
)
FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a saved JSON file")]


def _load_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot read {path}: {exc}")
        raise typer.Exit(2) from exc
    if not isinstance(value, dict):
        typer.echo(f"{path} does not hold a JSON object")
        raise typer.Exit(2)
    return value


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the catalogue audit chain and the decision log; exit 1 naming the first bad record."""
    _, database = open_database()
    try:
        with database.session(write=False) as session:
            events = audit.verify_chain(session)
            decisions = decision_log.verify_log(session.connection())
    finally:
        database.dispose()
    if events.ok:
        typer.echo(f"audit chain intact: {events.checked} events")
    else:
        typer.echo(f"audit chain BROKEN at event {events.broken_id}: {events.reason}")
        typer.echo(f"{events.checked} events before it are intact")
    adopted = f" ({decisions.adopted} adopted late)" if decisions.adopted else ""
    if decisions.ok:
        typer.echo(
            f"decision log intact: {decisions.checked} entries{adopted}, "
            f"logging {decisions.records} records"
        )
    else:
        where = f"entry {decisions.seq}" if decisions.seq is not None else "a record"
        record = f" ({decisions.kind} {decisions.record_id})" if decisions.record_id else ""
        leaf = (
            f", record {decisions.leaf + 1} of the {decisions.leaf_count} it logs"
            if decisions.leaf is not None and decisions.leaf_count is not None
            else ""
        )
        typer.echo(f"decision log BROKEN at {where}{record}{leaf}: {decisions.reason}")
        typer.echo(
            f"{decisions.checked} entries before it are intact "
            f"({decisions.records} records before it in all)"
        )
    if not (events.ok and decisions.ok):
        raise typer.Exit(1)


@audit_app.command("adopt")
def audit_adopt() -> None:
    """Bring screenings and outcomes stored before the decision log into it, marked adopted."""
    _, database = open_database()
    try:
        with database.session() as session:
            done = decision_log.adopt(session.connection())
            if any(done.adopted.values()):
                audit.append_event(
                    session,
                    actor=CLI_ACTOR,
                    action="decision_log.adopt",
                    entity_type="decision_log",
                    change={"adopted": done.adopted},
                )
    finally:
        database.dispose()
    for kind, count in done.adopted.items():
        typer.echo(f"adopted {count} {kind}(s) stored before the log began")
    refused = {kind: n for kind, n in done.refused.items() if n}
    for kind, count in refused.items():
        typer.echo(
            f"NOT adopted: {count} {kind}(s) stored after the log began but never logged "
            "(inserted around the log; `audit verify` names them)"
        )
    if refused:
        raise typer.Exit(1)


@audit_app.command("head")
def audit_head() -> None:
    """Print the decision log's current head (size, hash, time) signed with the service key."""
    settings, database = open_database()
    try:
        with database.session(write=False) as session:
            size, last = decision_log.head(session.connection())
    finally:
        database.dispose()
    key = signing.signing_key(settings.data_dir)
    typer.echo(json.dumps(signing.sign_head(key, size=size, hash=last), indent=2))


@audit_app.command("verify-head")
def audit_verify_head(
    file: FileArg,
    offline: Annotated[
        bool, typer.Option(help="check the signature only, without the database")
    ] = False,
) -> None:
    """Check a saved head: its signature, and that the current log still extends it."""
    head = _load_json(file)
    if not signing.signature_valid(head):
        typer.echo("head signature INVALID")
        raise typer.Exit(1)
    typer.echo(f"head signature valid: {head['size']} entries, hash {head['hash']}")
    if offline:
        return
    settings = open_settings()
    if head["public_key"] != signing.public_key_hex(signing.signing_key(settings.data_dir)):
        typer.echo("the head was signed by another key than this service's")
        raise typer.Exit(1)
    database = create_database(settings)
    try:
        with database.session(write=False) as session:
            reason = decision_log.check_extends(
                session.connection(), size=int(head["size"]), hash=str(head["hash"])
            )
    finally:
        database.dispose()
    if reason:
        typer.echo(f"the current log does NOT extend the head: {reason}")
        raise typer.Exit(1)
    typer.echo("the current log extends the head: history up to it is unchanged")


@audit_app.command("check-proof")
def audit_check_proof(file: FileArg) -> None:
    """Check an evidence packet's log proof offline (no database needed)."""
    problems = check_proof(_load_json(file))
    if problems:
        for line in problems:
            typer.echo(f"proof INVALID: {line}")
        raise typer.Exit(1)
    typer.echo("proof valid: the record is entry of the signed head")
