"""`countermark weights list|show|shadow|activate|shadow-report`: the stored weights versions."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from api.cli.database import fail, open_database
from catalog.access.keys import CLI_ACTOR
from catalog.core.errors import DomainError
from catalog.learning import store
from catalog.learning.shadow import shadow_report
from catalog.screening.thresholds import current_settings, switch_weights
from matchers.weights import DEFAULT_WEIGHTS

weights_app = typer.Typer(
    help="Weights versions: list, show, shadow, activate.", no_args_is_help=True
)

VersionArg = Annotated[str, typer.Argument(help="a weights version name")]


@weights_app.command("list")
def weights_list() -> None:
    """Every weights version, newest first; the shipped one last. `*` marks the active one."""
    _, database = open_database()
    with database.session(write=False) as session:
        snapshot = current_settings(session)
        rows = [
            (r.version, r.status, r.created_at.isoformat(), r.note or "")
            for r in store.list_versions(session)
        ]
    database.dispose()
    shipped_status = "active" if snapshot.weights.version == DEFAULT_WEIGHTS.version else "retired"
    rows.append((DEFAULT_WEIGHTS.version, shipped_status, "-", "shipped with the engine"))
    for version, status, created, note in rows:
        mark = "*" if version == snapshot.weights.version else " "
        typer.echo(f"{mark} {version:<16} {status:<9} {created:<32} {note}")


@weights_app.command("show")
def weights_show(version: VersionArg) -> None:
    """A version's weights (JSON) and, for a calibrated one, its held-out report."""
    _, database = open_database()
    try:
        with database.session(write=False) as session:
            weights = store.resolve(session, version)
            report = None
            if version != DEFAULT_WEIGHTS.version:
                report = store.get_version(session, version).report
    except DomainError as exc:
        raise fail(exc.detail) from exc
    finally:
        database.dispose()
    out = store.weights_to_json(weights) | ({"report": report} if report else {})
    typer.echo(json.dumps(out, indent=2, sort_keys=True))


@weights_app.command("shadow")
def weights_shadow(
    version: Annotated[
        str | None, typer.Argument(help="version to shadow; omitted: report on the shadowed one")
    ] = None,
    stop: Annotated[bool, typer.Option("--stop", help="stop shadow scoring")] = False,
) -> None:
    """Score live screenings also under VERSION (off the response path; audited), or, with no
    VERSION, report how often lanes would change under the shadowed version."""
    _, database = open_database()
    try:
        with database.session() as session:
            if stop:
                switch_weights(session, actor=CLI_ACTOR, stop_shadow=True)
                typer.echo("shadow scoring stopped")
                return
            if version is not None:
                switch_weights(session, actor=CLI_ACTOR, shadow=version)
                typer.echo(f"shadowing {version}: workers start at their next settings check")
                return
            shadow = current_settings(session).shadow
            if shadow is None:
                raise fail("no weights version is shadowed (countermark weights shadow VERSION)")
            lines = shadow_report(session, weights_version=shadow.version).lines()
    except DomainError as exc:
        raise fail(exc.detail) from exc
    finally:
        database.dispose()
    for line in lines:
        typer.echo(line)


@weights_app.command("shadow-report")
def weights_shadow_report(version: VersionArg) -> None:
    """How often lanes would change under VERSION, from the live screenings it shadowed."""
    _, database = open_database()
    with database.session(write=False) as session:
        lines = shadow_report(session, weights_version=version).lines()
    database.dispose()
    for line in lines:
        typer.echo(line)


@weights_app.command("activate")
def weights_activate(version: VersionArg) -> None:
    """Score new screenings under VERSION (audited); workers switch at their next check."""
    _, database = open_database()
    try:
        with database.session() as session:
            previous = current_settings(session).weights.version
            snapshot = switch_weights(session, actor=CLI_ACTOR, active=version)
    except DomainError as exc:
        raise fail(exc.detail) from exc
    finally:
        database.dispose()
    typer.echo(
        f"weights {previous} -> {version} (settings version {snapshot.version}); "
        "workers switch at their next settings check"
    )
