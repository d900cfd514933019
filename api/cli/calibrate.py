"""`countermark calibrate`: fit the suspicion weights to recorded outcomes; save a new version."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from api.cli.sessions import in_session
from catalog.access.keys import CLI_ACTOR
from catalog.learning.calibrate import Metrics, Options, Result, calibrate_and_save, improves
from catalog.screening.thresholds import current_settings, switch_weights
from matchers.weights import Weights


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def metric_lines(before: Metrics, after: Metrics) -> list[str]:
    """Before/after AUC and Brier score, then both reliability tables, as text lines."""
    lines = [
        f"held-out outcomes: {after.n}",
        f"AUC    before {_fmt(before.auc)}  after {_fmt(after.auc)}  (higher is better)",
        f"Brier  before {_fmt(before.brier)}  after {_fmt(after.brier)}  (lower is better)",
    ]
    for title, m in (("before", before), ("after", after)):
        lines.append(f"reliability {title}: risk bin, items, mean risk, share counterfeit")
        for lo, hi, n, mean, observed in m.reliability:
            lines.append(f"  {lo:.1f}-{hi:.1f}  {n:>6}  {mean:.3f}  {observed:.3f}")
    return lines


def calibrate_command(
    activate: Annotated[
        bool, typer.Option("--activate", help="activate the new version at once (audited)")
    ] = False,
    holdout: Annotated[
        float, typer.Option(min=0.05, max=0.9, help="share of outcomes held out of the fit")
    ] = 0.3,
    label_noise: Annotated[
        float, typer.Option(min=0.0, max=0.4, help="assumed share of wrong outcomes")
    ] = 0.1,
    prior_sd: Annotated[
        float,
        typer.Option(min=0.01, help="how far (log-odds) the weights may move per unit of data"),
    ] = 1.0,
    random_only: Annotated[
        bool,
        typer.Option(help="fit on randomly selected inspections only (when at least 200)"),
    ] = False,
    note: Annotated[str | None, typer.Option(help="stored with the version")] = None,
    force: Annotated[
        bool,
        typer.Option(help="with --activate: activate even when the held-out figures got worse"),
    ] = False,
) -> None:
    """Fit the weights to the recorded outcomes (regularised, label-noise aware, weighted for
    who was inspected); print held-out AUC, Brier score and reliability before and after;
    store the new weights version and print its name on the last line."""
    options = Options(
        holdout=holdout, label_noise=label_noise, prior_sd=prior_sd, random_only=random_only
    )

    def fit(session: Session) -> tuple[Weights, Result]:
        current = current_settings(session).weights
        result = calibrate_and_save(session, current=current, options=options, note=note)
        if activate and (force or improves(result.before, result.after)):
            switch_weights(session, actor=CLI_ACTOR, active=result.weights.version)
        return current, result

    current, result = in_session(fit)
    typer.echo(
        f"fitted on {result.fitted} outcomes from weights {current.version}; "
        f"left out: {', '.join(f'{k} {v}' for k, v in result.dropped.items())}"
    )
    for line in [*result.notes, *metric_lines(result.before, result.after)]:
        typer.echo(line)
    changed = [
        f"{k} {current.values[k]:+.2f} -> {v:+.2f}"
        for k, v in sorted(result.weights.values.items())
        if current.values.get(k) != v
    ]
    typer.echo(f"bias {current.bias:+.2f} -> {result.weights.bias:+.2f}; " + "; ".join(changed))
    if activate and (force or improves(result.before, result.after)):
        typer.echo("activated: workers pick it up at their next settings check")
    elif activate:
        typer.echo(
            "not activated: the held-out AUC or Brier score got worse (shadow it first, or --force)"
        )
    typer.echo(result.weights.version)
