"""`countermark weights list|show|shadow|activate|shadow-report`: the stored weights versions."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from sqlmodel import Session

from api.cli.database import fail
from api.cli.sessions import in_session
from catalog.access.keys import CLI_ACTOR
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

    def rows(session: Session) -> tuple[str, list[tuple[str, str, str, str]]]:
        active = current_settings(session).weights.version
        stored = [
            (r.version, r.status, r.created_at.isoformat(), r.note or "")
            for r in store.list_versions(session)
        ]
        return active, stored

    active, listed = in_session(rows, write=False)
    shipped_status = "active" if active == DEFAULT_WEIGHTS.version else "retired"
    listed.append((DEFAULT_WEIGHTS.version, shipped_status, "-", "shipped with the engine"))
    for version, status, created, note in listed:
        mark = "*" if version == active else " "
        typer.echo(f"{mark} {version:<16} {status:<9} {created:<32} {note}")


@weights_app.command("show")
def weights_show(version: VersionArg) -> None:
    """A version's weights (JSON) and, for a calibrated one, its held-out report."""

    def read(session: Session) -> dict[str, Any]:
        out = store.weights_to_json(store.resolve(session, version))
        if version != DEFAULT_WEIGHTS.version:
            out["report"] = store.get_version(session, version).report
        return out

    typer.echo(json.dumps(in_session(read, write=False), indent=2, sort_keys=True))


@weights_app.command("shadow")
def weights_shadow(
    version: Annotated[
        str | None, typer.Argument(help="version to shadow; omitted: report on the shadowed one")
    ] = None,
    stop: Annotated[bool, typer.Option("--stop", help="stop shadow scoring")] = False,
) -> None:
    """Score live screenings also under VERSION (off the response path; audited), or, with no
    VERSION, report how often lanes would change under the shadowed version."""
    if stop:
        in_session(lambda s: switch_weights(s, actor=CLI_ACTOR, stop_shadow=True))
        typer.echo("shadow scoring stopped")
        return
    if version is not None:
        in_session(lambda s: switch_weights(s, actor=CLI_ACTOR, shadow=version))
        typer.echo(f"shadowing {version}: workers start at their next settings check")
        return
    shadow = in_session(lambda s: current_settings(s).shadow, write=False)
    if shadow is None:
        raise fail("no weights version is shadowed (countermark weights shadow VERSION)")
    weights_shadow_report(shadow.version)


@weights_app.command("shadow-report")
def weights_shadow_report(version: VersionArg) -> None:
    """How often lanes would change under VERSION, from the live screenings it shadowed."""
    report = in_session(lambda s: shadow_report(s, weights_version=version), write=False)
    for line in report.lines():
        typer.echo(line)


@weights_app.command("activate")
def weights_activate(version: VersionArg) -> None:
    """Score new screenings under VERSION (audited); workers switch at their next check."""

    def switch(session: Session) -> tuple[str, int]:
        previous = current_settings(session).weights.version
        return previous, switch_weights(session, actor=CLI_ACTOR, active=version).version

    previous, settings_version = in_session(switch)
    typer.echo(
        f"weights {previous} -> {version} (settings version {settings_version}); "
        "workers switch at their next settings check"
    )
