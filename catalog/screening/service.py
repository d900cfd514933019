"""Screening use case: score declared items against the worker's index and store every result.

The hot path is built for about a thousand items a second a worker: the index is
read in memory on the event loop (sub-millisecond), images are described in a
process pool, and the durable write goes through the group-commit writer so one
transaction carries many screenings.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table

from catalog.access.keys import Principal
from catalog.core.errors import DomainError, Unprocessable
from catalog.core.ids import new_id
from catalog.index.worker_index import IndexHolder
from catalog.models import Screening, ScreeningHit
from catalog.screening.declared_images import BadImageDataError, ImageDescriber, decode_base64
from catalog.screening.records import (
    assessment_document,
    declaration_from_stored,
    hashes_of,
    hit_rows,
    minimise_request,
    stored_image,
)
from catalog.screening.thresholds import thresholds_to_json
from catalog.screening.writer import GroupCommitWriter
from catalog.webhooks.events import EVENT_TABLE, outbox_rows
from matchers import ENGINE_VERSION
from matchers.images.decode import ImageError
from matchers.scoring import DEFAULT_WEIGHTS, Weights

SCREENING_TABLE = cast(Table, cast(Any, Screening).__table__)
HIT_TABLE = cast(Table, cast(Any, ScreeningHit).__table__)
WRITE_ORDER = (SCREENING_TABLE, HIT_TABLE, EVENT_TABLE)


class IndexNotReady(DomainError):  # noqa: N818 - named like the other domain errors
    """The worker is still loading its index."""

    status = 503
    slug = "index-not-ready"
    title = "Index not ready"


@dataclass(slots=True)
class Scored:
    """A scored item: the response document and the rows that store it."""

    document: dict[str, Any]
    rows: dict[Table, list[dict[str, Any]]]


class ScreeningService:
    """Scores declarations and stores them; one per worker process."""

    def __init__(
        self,
        *,
        holder: IndexHolder,
        writer: GroupCommitWriter,
        describer: ImageDescriber,
        pseudonym_key: bytes,
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        self.holder = holder
        self.writer = writer
        self.describer = describer
        self.pseudonym_key = pseudonym_key
        self.weights = weights
        from matchers.engine import assess  # with the index: only screening needs the engine

        self._assess = assess
        self._thresholds_for: object = None
        self._thresholds_json: dict[str, Any] = {}

    async def screen(self, payload: Mapping[str, Any], *, principal: Principal) -> dict[str, Any]:
        """Score one validated request (JSON form) and store it; returns the result document."""
        started = time.perf_counter()
        await self._ready()
        stored = await self.prepare(payload)
        scored = self.score(stored, principal=principal, started=started)
        await self.writer.write(scored.rows)
        return scored.document

    async def screen_batch(
        self, payloads: Sequence[Mapping[str, Any] | DomainError], *, principal: Principal
    ) -> list[dict[str, Any] | DomainError]:
        """Score many items; an item given as an error (or failing) stays an error in place."""
        await self._ready()
        prepared = await asyncio.gather(
            *(self._prepare_or_error(p) for p in payloads), return_exceptions=False
        )
        out: list[dict[str, Any] | DomainError] = []
        rows: dict[Table, list[dict[str, Any]]] = {t: [] for t in WRITE_ORDER}
        for item in prepared:
            if isinstance(item, DomainError):
                out.append(item)
                continue
            # Each item's time is its own scoring (its images were described concurrently).
            scored = self.score(item, principal=principal, started=time.perf_counter())
            for table, table_rows in scored.rows.items():
                rows[table].extend(table_rows)
            out.append(scored.document)
            await asyncio.sleep(0)  # a 1000-item batch must not hold the loop for seconds
        if rows[SCREENING_TABLE]:
            await self.writer.write(rows)
        return out

    async def _ready(self) -> None:
        if not self.holder.ready:
            raise IndexNotReady("this worker is still loading the catalogue index; retry shortly")
        await self.holder.ensure_current()

    async def _prepare_or_error(
        self, payload: Mapping[str, Any] | DomainError
    ) -> dict[str, Any] | DomainError:
        if isinstance(payload, DomainError):
            return payload
        try:
            return await self.prepare(payload)
        except DomainError as exc:
            return exc

    async def prepare(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Describe the request's images (off the loop) and minimise it into its stored form."""
        images: list[dict[str, Any]] = []
        for i, image in enumerate(payload.get("images") or ()):
            if image.get("data"):
                try:
                    described = await self.describer.describe(decode_base64(image["data"]))
                except (BadImageDataError, ImageError) as exc:
                    raise Unprocessable(
                        f"images[{i}]: {exc}",
                        errors=[{"loc": ["images", i, "data"], "msg": str(exc)}],
                        slug="invalid-image",
                    ) from exc
                images.append(
                    stored_image(
                        hashes=described.hashes,
                        local_features=described.local_features,
                        source="data",
                    )
                )
            else:
                images.append(
                    stored_image(hashes=hashes_of(image), local_features=None, source="hashes")
                )
        declared = payload.get("declared_on")
        declared_on = date.fromisoformat(str(declared)) if declared else datetime.now(UTC).date()
        return minimise_request(
            payload, images=images, declared_on=declared_on, key=self.pseudonym_key
        )

    def score(self, stored: Mapping[str, Any], *, principal: Principal, started: float) -> Scored:
        """Assess a stored-form request with the current index; build its document and rows."""
        now = datetime.now(UTC)
        holder = self.holder
        if self._thresholds_for is not holder.scoring:
            self._thresholds_json = thresholds_to_json(holder.scoring.thresholds)
            self._thresholds_for = holder.scoring
        declaration = declaration_from_stored(stored)
        thresholds = holder.scoring.thresholds
        assessment = self._assess(
            declaration,
            index=holder.index,
            weights=self.weights,
            thresholds=thresholds,
            fx=holder.fx_for(declaration.declared_on or now.date()),
            today=now.date(),
        )
        took_ms = round((time.perf_counter() - started) * 1000.0, 3)
        screening_id = new_id()
        body = assessment_document(assessment)
        document: dict[str, Any] = {
            "id": screening_id,
            "reference": stored.get("reference"),
            **body,
            "catalog_version": holder.catalog_version,
            "engine_version": ENGINE_VERSION,
            "weights_version": self.weights.version,
            "settings_version": holder.scoring.version,
            "took_ms": took_ms,
            "created_at": now.isoformat(),
        }
        screening_row = {
            "id": screening_id,
            "api_key_id": principal.key_id,
            "client_role": principal.role,
            "reference": stored.get("reference"),
            "declared_on": declaration.declared_on,
            "screened_on": now.date(),
            "request": dict(stored),
            "result": document,
            "risk": assessment.risk,
            "verdict": assessment.verdict,
            "lane": assessment.lane,
            "catalog_version": holder.catalog_version,
            "engine_version": ENGINE_VERSION,
            "weights_version": self.weights.version,
            "settings_version": holder.scoring.version,
            "fx_version": holder.fx.version,
            "thresholds": self._thresholds_json,
            "took_ms": took_ms,
            "created_at": now,
        }
        hits = [
            {**h, "screening_id": screening_id, "created_at": now} for h in hit_rows(assessment)
        ]
        events = outbox_rows(screening_id=screening_id, hits=hits, at=now)  # webhook alerts
        return Scored(
            document=document,
            rows={SCREENING_TABLE: [screening_row], HIT_TABLE: hits, EVENT_TABLE: events},
        )
