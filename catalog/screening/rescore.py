"""Rescore a stored screening with today's catalogue, engine, settings and rates.

It is scored under the weights version it recorded (resolved from the stored
versions), unless weights are given.

While every version the screening recorded is unchanged the new result must equal
the stored one exactly; when a version moved, the differences are listed.
`rescore_as_recorded` also rebuilds the catalogue as it stood at the screening's
version (catalog/products/history.py: products, reference images and brand aliases)
and takes the exchange rates as of its fx version (catalog/screening/fx.py), so a
decision is reproduced after products, aliases or rates were changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from catalog.access.privacy import names_for
from catalog.core.errors import NotFound
from catalog.index.worker_index import IndexHolder
from catalog.learning import store
from catalog.learning.capacity import select_for_inspection
from catalog.models import Screening
from catalog.products import history
from catalog.screening.fx import load_fx_table_as_of
from catalog.screening.records import declaration_from_stored
from catalog.screening.results import assessment_document, diff_documents
from catalog.screening.thresholds import thresholds_from_json
from matchers import ENGINE_VERSION
from matchers.engine import assess
from matchers.scoring import Weights

COMPARED = ("risk", "verdict", "lane", "matches", "signals")


@dataclass(frozen=True, slots=True)
class RescoreReport:
    """Stored versus current versions, and the differences between the two results."""

    screening_id: str
    versions: dict[str, tuple[Any, Any]]
    differences: list[str] = field(default_factory=list)

    @property
    def versions_changed(self) -> list[str]:
        """Names of the versions that differ between the stored screening and now."""
        return [k for k, (old, new) in self.versions.items() if old != new]

    @property
    def identical(self) -> bool:
        """Whether the rescored result equals the stored one."""
        return not self.differences


def rescore(
    *,
    engine: Engine,
    screening_id: str,
    pseudonym_key: bytes,
    holder: IndexHolder | None = None,
    weights: Weights | None = None,
) -> RescoreReport:
    """Score a stored screening's stored request again and compare with its stored result
    (under `weights`, by default the weights version the screening recorded)."""
    with Session(engine) as session:
        screening = session.get(Screening, screening_id)
        if screening is None:
            raise NotFound(f"screening {screening_id} does not exist")
        session.expunge(screening)
        if weights is None:
            weights = store.resolve(session, screening.weights_version)
    if holder is None:
        holder = IndexHolder(engine=engine, check_interval=0.0, listen=False)
        holder.load()
    else:
        holder.refresh_sync()
    parties = names_for(holder.index.products.values(), key=pseudonym_key)
    declaration = declaration_from_stored(screening.request, parties=parties)
    screened_on = screening.screened_on
    if isinstance(screened_on, str):  # pragma: no cover - drivers return date objects
        screened_on = date.fromisoformat(screened_on)
    assessment = assess(
        declaration,
        index=holder.index,
        weights=weights,
        thresholds=holder.scoring.thresholds,
        fx=holder.fx_for(declaration.declared_on or screened_on),
        today=screened_on,
    )
    if screening.result.get("random_selection"):  # the selection hangs on the id, not the score
        assessment = select_for_inspection(assessment)
    new = assessment_document(assessment)
    old = {k: screening.result.get(k) for k in COMPARED}
    versions = {
        "catalog_version": (screening.catalog_version, holder.catalog_version),
        "engine_version": (screening.engine_version, ENGINE_VERSION),
        "weights_version": (screening.weights_version, weights.version),
        "settings_version": (screening.settings_version, holder.scoring.version),
        "fx_version": (screening.fx_version, holder.fx.version),
    }
    return RescoreReport(
        screening_id=screening_id, versions=versions, differences=diff_documents(old, new)
    )


def rescore_as_recorded(
    *,
    engine: Engine,
    screening_id: str,
    pseudonym_key: bytes,
    weights: Weights | None = None,
) -> tuple[RescoreReport, RescoreReport]:
    """Rescore against the catalogue as it stood at the screening's version, and against today's.

    The first report compares the stored result with one scored on the products and
    images rebuilt from their kept versions (with the stored thresholds); the second is
    `rescore` against today's catalogue: what would differ now.
    """
    holder = IndexHolder(engine=engine, check_interval=0.0, listen=False)
    holder.load()
    today = rescore(
        engine=engine,
        screening_id=screening_id,
        pseudonym_key=pseudonym_key,
        holder=holder,
        weights=weights,
    )
    with Session(engine) as session:
        screening = session.get(Screening, screening_id)
        assert screening is not None  # `rescore` raised NotFound otherwise
        session.expunge(screening)
        if weights is None:
            weights = store.resolve(session, screening.weights_version)
    version = screening.catalog_version
    with engine.connect() as conn:
        aliases = history.aliases_as_of(conn, version=version)
        history.revert_index(holder.index, conn, version=version, aliases=aliases)
        rates = load_fx_table_as_of(conn, version=screening.fx_version)
    parties = names_for(holder.index.products.values(), key=pseudonym_key)
    declaration = declaration_from_stored(screening.request, parties=parties)
    assessment = assess(
        declaration,
        index=holder.index,
        weights=weights,
        thresholds=thresholds_from_json(screening.thresholds),
        fx=rates.engine_rates(declaration.declared_on or screening.screened_on),
        today=screening.screened_on,
    )
    if screening.result.get("random_selection"):
        assessment = select_for_inspection(assessment)
    old = {k: screening.result.get(k) for k in COMPARED}
    versions = dict(today.versions) | {"catalog_version": (version, version)}
    versions["settings_version"] = (screening.settings_version, screening.settings_version)
    versions["fx_version"] = (screening.fx_version, screening.fx_version)
    as_recorded = RescoreReport(
        screening_id=screening_id,
        versions=versions,
        differences=diff_documents(old, assessment_document(assessment)),
    )
    return as_recorded, today
