"""`countermark lanes set|recompute|show`: lanes that follow the inspection teams' capacity."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api.cli.database import fail
from api.cli.sessions import in_session
from catalog.access.keys import CLI_ACTOR
from catalog.learning.capacity import recompute
from catalog.screening.thresholds import ScoringSnapshot, current_settings, set_capacity

lanes_app = typer.Typer(
    help="Capacity-aware lanes: the shares the teams can inspect, a random control share.",
    no_args_is_help=True,
)


def _describe(snapshot: ScoringSnapshot) -> str:
    c, t = snapshot.capacity, snapshot.thresholds
    shares = (
        f"red share {c.red_share:.1%}, yellow share {c.yellow_share:.1%} of the last {c.window}"
        if c.red_share is not None and c.yellow_share is not None
        else "fixed thresholds"
    )
    return (
        f"settings version {snapshot.version}: yellow from {t.yellow}, red from {t.red} "
        f"({shares}); random share {c.random_share:.1%}"
    )


@lanes_app.command("set")
def lanes_set(
    red_share: Annotated[float | None, typer.Option(help="share of traffic for red")] = None,
    yellow_share: Annotated[float | None, typer.Option(help="share of traffic for yellow")] = None,
    random_share: Annotated[
        float | None, typer.Option(help="share of green items inspected at random")
    ] = None,
    window: Annotated[
        int | None, typer.Option(help="recent screenings the shares apply to")
    ] = None,
) -> None:
    """Set the capacity (a new, audited settings version); then run `lanes recompute`."""
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "red_share": red_share,
            "yellow_share": yellow_share,
            "random_share": random_share,
            "capacity_window": window,
        }.items()
        if v is not None
    }
    if not changes:
        raise fail("nothing to set: give --red-share, --yellow-share, --random-share or --window")
    snapshot = in_session(lambda s: set_capacity(s, actor=CLI_ACTOR, changes=changes))
    typer.echo(_describe(snapshot))


@lanes_app.command("recompute")
def lanes_recompute() -> None:
    """Set the thresholds from the recent risks and the capacity (run it periodically)."""
    typer.echo(_describe(in_session(lambda s: recompute(s, actor=CLI_ACTOR))))


@lanes_app.command("show")
def lanes_show() -> None:
    """The thresholds and capacity in force."""
    typer.echo(_describe(in_session(current_settings, write=False)))
