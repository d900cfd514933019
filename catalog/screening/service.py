"""Screening use case: score declared items against the worker's index and store every result.

The hot path is built for about a thousand items a second a worker: the index is
read in memory on the event loop (sub-millisecond), images are described in the
process's image pool, and the durable write goes through the group-commit writer so
one transaction carries many screenings.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from catalog.access.keys import Principal
from catalog.access.privacy import PartyNames
from catalog.core.errors import DomainError, IndexNotReady, Unprocessable
from catalog.core.ids import new_id
from catalog.core.pool import ImageProcessor
from catalog.index.engine_metrics import ENGINE_SECONDS, IMAGE_POOL_JOBS, SCREENINGS
from catalog.index.worker_index import IndexHolder
from catalog.learning.capacity import random_selected, select_for_inspection
from catalog.learning.shadow import SHADOW_TABLE, ShadowJob, ShadowScorer
from catalog.models import Screening, ScreeningHit, table_of
from catalog.screening.alerts import brand_level_hits
from catalog.screening.declared_images import (
    BadImageDataError,
    ImageError,
    decode_base64,
)
from catalog.screening.records import (
    DeclaredItem,
    declaration_from_stored,
    minimise_request,
    stored_image,
)
from catalog.screening.results import ScreeningRecord, Versions
from catalog.screening.thresholds import screening_thresholds_json
from catalog.screening.writer import GroupCommitWriter
from catalog.webhooks.events import EVENT_TABLE, outbox_rows
from matchers import ENGINE_VERSION
from matchers.scoring import Weights

SCREENING_TABLE = table_of(Screening)
HIT_TABLE = table_of(ScreeningHit)
WRITE_ORDER = (SCREENING_TABLE, HIT_TABLE, EVENT_TABLE, SHADOW_TABLE)
Rows = dict[Table, list[dict[str, Any]]]
Payloads = tuple[bytes | BadImageDataError | None, ...]  # per image: decoded, bad, or hashes


class ScreeningService:
    """Scores declarations and stores them; one per worker process."""

    def __init__(
        self,
        *,
        holder: IndexHolder,
        writer: GroupCommitWriter,
        images: ImageProcessor,
        pseudonym_key: bytes,
        weights: Weights | None = None,
        pixels_per_request: int | None = None,
    ) -> None:
        self.holder = holder
        self.writer = writer
        self.images = images
        self.pseudonym_key = pseudonym_key
        self.party_names = PartyNames(pseudonym_key)
        self.weights = weights  # None: the version the scoring settings make active
        self.pixels_per_request = pixels_per_request
        from matchers.engine import assess  # with the index: only screening needs the engine

        self._assess = assess
        self.shadow = ShadowScorer(assess=assess, index=lambda: holder.index, write=writer.write)
        self._thresholds_for: object = None
        self._thresholds_json: dict[str, Any] = {}

    async def screen(self, item: DeclaredItem, *, principal: Principal) -> ScreeningRecord:
        """Score one declared item and store it; returns its result."""
        started = time.perf_counter()
        await self._ready()
        payloads = self._decode(item)
        async with self._image_work([payloads], principal) as slots:
            stored = await self.prepare(item, payloads=payloads, slots=slots)
        await self.holder.settled()  # never score against a half-applied change
        rows: Rows = {table: [] for table in WRITE_ORDER}
        record = self.score(stored, principal=principal, started=started, rows=rows)
        await self.writer.write(rows)
        return record

    async def screen_batch(
        self, items: Sequence[DeclaredItem | DomainError], *, principal: Principal
    ) -> list[ScreeningRecord | DomainError]:
        """Score many items; an item given as an error (or failing) stays an error in place."""
        await self._ready()
        decoded = [() if isinstance(i, DomainError) else self._decode(i) for i in items]
        async with self._image_work(decoded, principal) as slots:
            prepared = await asyncio.gather(
                *(self._prepare_or_error(i, p, slots) for i, p in zip(items, decoded, strict=True))
            )
        out: list[ScreeningRecord | DomainError] = []
        rows: Rows = {table: [] for table in WRITE_ORDER}
        for stored in prepared:
            if isinstance(stored, DomainError):
                out.append(stored)
                continue
            await self.holder.settled()  # never score against a half-applied change
            # Each item's time is its own scoring (its images were described concurrently).
            out.append(
                self.score(stored, principal=principal, started=time.perf_counter(), rows=rows)
            )
            await asyncio.sleep(0)  # a 1000-item batch must not hold the loop for seconds
        if rows[SCREENING_TABLE]:
            await self.writer.write(rows)
        return out

    async def _ready(self) -> None:
        if not self.holder.ready:
            raise IndexNotReady("this worker is still loading the catalogue index; retry shortly")
        await self.holder.ensure_current()

    async def _prepare_or_error(
        self,
        item: DeclaredItem | DomainError,
        payloads: Payloads,
        slots: asyncio.Semaphore | None,
    ) -> dict[str, Any] | DomainError:
        if isinstance(item, DomainError):
            return item
        try:
            return await self.prepare(item, payloads=payloads, slots=slots)
        except DomainError as exc:
            return exc

    @staticmethod
    def _decode(item: DeclaredItem) -> Payloads:
        out: list[bytes | BadImageDataError | None] = []
        for image in item.images:
            try:
                out.append(decode_base64(image.data) if image.data else None)
            except BadImageDataError as exc:
                out.append(exc)
        return tuple(out)

    @asynccontextmanager
    async def _image_work(
        self, payloads: Sequence[Payloads], principal: Principal
    ) -> AsyncIterator[asyncio.Semaphore | None]:
        """Bound a request's image work: its total pixels (413) and its client's jobs in the
        pool (429); yields the slots its jobs take turns on (None: no image to decode)."""
        data = [p for item in payloads for p in item if isinstance(p, bytes)]
        async with self.images.admit(
            principal.client_id,
            data,
            budget=self.pixels_per_request,
            reduce_to=self.images.reduce_to,
        ) as slots:
            yield slots

    async def prepare(
        self,
        item: DeclaredItem,
        *,
        payloads: Payloads | None = None,
        slots: asyncio.Semaphore | None = None,
    ) -> dict[str, Any]:
        """Describe the item's images (off the loop) and minimise it into its stored form.

        `payloads` are the images' decoded bytes if already decoded; each job holds one of
        `slots` (its client's share of the pool) while it runs.
        """
        decoded = payloads if payloads is not None else self._decode(item)
        images: list[dict[str, Any]] = []
        for i, (image, data) in enumerate(zip(item.images, decoded, strict=True)):
            if data is None:
                hashes = {name: value.lower() for name, value in image.hashes.items()}
                images.append(stored_image(hashes=hashes, local_features=None, source="hashes"))
                continue
            try:
                if isinstance(data, BadImageDataError):
                    raise data
                async with slots or nullcontext():
                    with IMAGE_POOL_JOBS.track_inprogress():
                        described = await self.images.describe(data)
            except (BadImageDataError, ImageError) as exc:
                raise Unprocessable(
                    f"images[{i}]: {exc}",
                    errors=[
                        {"loc": ["images", i, "data"], "msg": str(exc), "type": "invalid_image"}
                    ],
                    slug="invalid-image",
                ) from exc
            images.append(
                stored_image(
                    hashes=described.hashes, local_features=described.local_features, source="data"
                )
            )
        declared_on = item.declared_on or datetime.now(UTC).date()
        return minimise_request(
            item, images=images, declared_on=declared_on, key=self.pseudonym_key
        )

    def score(
        self, stored: dict[str, Any], *, principal: Principal, started: float, rows: Rows
    ) -> ScreeningRecord:
        """Assess a stored-form request with the current index; add its rows to `rows`."""
        now = datetime.now(UTC)
        holder = self.holder
        if self._thresholds_for is not holder.scoring:
            self._thresholds_json = screening_thresholds_json(holder.scoring)
            self._thresholds_for = holder.scoring
        parties = (
            self.party_names.resolver(holder.parties)
            if stored.get("importer") or stored.get("exporter")
            else None
        )
        declaration = declaration_from_stored(stored, parties=parties)
        declared_on = declaration.declared_on or now.date()
        weights = self.weights or holder.scoring.weights
        fx = holder.fx_for(declared_on)
        assess_started = time.perf_counter()
        assessment = self._assess(
            declaration,
            index=holder.index,
            weights=weights,
            thresholds=holder.scoring.thresholds,
            fx=fx,
            today=now.date(),
        )
        ENGINE_SECONDS.observe(time.perf_counter() - assess_started)
        screening_id = new_id()
        share = holder.scoring.capacity.random_share
        chosen = assessment.lane == "green" and random_selected(
            self.pseudonym_key, screening_id, share
        )
        if chosen:  # the random control share: inspected whatever its risk
            assessment = select_for_inspection(assessment)
        SCREENINGS.labels(assessment.lane, assessment.verdict).inc()
        record = ScreeningRecord(
            id=screening_id,
            reference=stored["reference"],
            assessment=assessment,
            versions=Versions(
                catalog_version=holder.catalog_version,
                engine_version=ENGINE_VERSION,
                weights_version=weights.version,
                settings_version=holder.scoring.version,
                fx_version=holder.fx.version,
            ),
            took_ms=round((time.perf_counter() - started) * 1000.0, 3),
            created_at=now,
            random_selection=chosen,
        )
        rows[SCREENING_TABLE].append(
            record.screening_row(
                api_key_id=principal.key_id,
                client_role=principal.role,
                request=stored,
                declared_on=declared_on,
                thresholds=self._thresholds_json,
            )
        )
        hits = record.hit_rows() or brand_level_hits(record, holder.index.brands)
        rows[HIT_TABLE].extend(hits)
        rows[EVENT_TABLE].extend(outbox_rows(screening_id=record.id, hits=hits, at=now))  # webhooks
        shadow = holder.scoring.shadow
        if shadow is not None and shadow.version != weights.version:
            job = ShadowJob(
                record.id, declaration, assessment.lane, holder.scoring.thresholds, fx, now.date()
            )
            self.shadow.submit(job, shadow)  # scored after the response, never on its path
        return record
