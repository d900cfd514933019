"""Keep a current in-memory `MatchIndex` in every worker, in step with the catalogue version.

At start the whole catalogue is read in bulk (only the columns the engine needs).
After that a screening calls `ensure_current()`: when a PostgreSQL NOTIFY arrived,
or when the last check is older than `check_interval`, one cheap query reads the
catalogue, fx and settings versions; if the catalogue moved, only the products,
images and aliases changed since the index's version are fetched (in a thread)
and applied (on the event loop, where screenings read the index, so no reader
ever sees a half-applied record). Deleted rows are found through the audit events
of the versions in between.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, select, text

from catalog.fx import FxTable, load_fx_table
from catalog.models import AuditEvent, Product, ReferenceImage
from catalog.records_mapping import AliasMap, brand_key, iter_images, iter_products, load_aliases
from catalog.scoring_settings import DEFAULT_THRESHOLDS, ScoringSnapshot, current_settings
from catalog.screening_listen import ChangeListener
from matchers.records import ImageRecord, ProductRecord
from matchers.scoring import FxRate, FxRates

if TYPE_CHECKING:
    from matchers.engine import MatchIndex

log = logging.getLogger(__name__)
_AUDIT = cast(Any, AuditEvent).__table__.c
_PRODUCT = cast(Any, Product).__table__.c
_IMAGE = cast(Any, ReferenceImage).__table__.c

VERSIONS_SQL = text(
    "SELECT (SELECT version FROM catalog_version WHERE id = 1),"
    " (SELECT max(id) FROM fx_rate), (SELECT max(version) FROM scoring_settings)"
)


def new_match_index() -> MatchIndex:
    """An empty engine index (imported here: the rest of the API starts even without it)."""
    from matchers.engine import MatchIndex

    return MatchIndex()


@dataclass(frozen=True, slots=True)
class Versions:
    """The three numbers that say whether a worker's in-memory state is current."""

    catalog: int
    fx: int
    settings: int


def read_versions(conn: Connection) -> Versions:
    """Catalogue, fx and settings versions in one round trip."""
    row = conn.execute(VERSIONS_SQL).one()
    return Versions(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


@dataclass(slots=True)
class Delta:
    """What changed in the catalogue between two versions."""

    catalog_version: int
    products: list[tuple[ProductRecord, bool]] = field(default_factory=list)
    images: list[ImageRecord] = field(default_factory=list)
    gone_ids: set[str] = field(default_factory=set)
    aliases: AliasMap = field(default_factory=dict)


def fetch_delta(conn: Connection, *, since: int, known_ids: set[str]) -> Delta:
    """Products and images changed after `since`, and which `known_ids` no longer exist."""
    version = read_versions(conn).catalog
    delta = Delta(catalog_version=version, aliases=load_aliases(conn))
    delta.products = list(iter_products(conn, since_version=since))
    delta.images = list(iter_images(conn, since_version=since))
    # A product back in service (or new) brings its older images with it.
    arriving = {r.product_id for r, active in delta.products if active} - known_ids
    if arriving:
        seen = {i.image_id for i in delta.images}
        delta.images += [
            i for i in iter_images(conn, product_ids=arriving) if i.image_id not in seen
        ]
    touched = {
        str(r[0])
        for r in conn.execute(
            select(_AUDIT.entity_id).where(
                _AUDIT.catalog_version > since, _AUDIT.entity_id.is_not(None)
            )
        )
    }
    candidates = sorted(touched & known_ids)
    if candidates:
        present: set[str] = set()
        for start in range(0, len(candidates), 500):
            part = candidates[start : start + 500]
            present.update(
                str(r[0]) for r in conn.execute(select(_PRODUCT.id).where(_PRODUCT.id.in_(part)))
            )
            present.update(
                str(r[0]) for r in conn.execute(select(_IMAGE.id).where(_IMAGE.id.in_(part)))
            )
        delta.gone_ids = set(candidates) - present
    return delta


class IndexHolder:
    """A worker's current index, fx rates and scoring settings, and how they stay current."""

    def __init__(self, *, engine: Engine, check_interval: float, listen: bool = True) -> None:
        self._engine = engine
        self.check_interval = check_interval
        self.index = new_match_index()
        self.catalog_version = -1
        self.fx = FxTable()
        self.scoring = ScoringSnapshot(version=0, thresholds=DEFAULT_THRESHOLDS)
        self.ready = False
        self.load_seconds: float | None = None
        self.load_error: str | None = None
        self._aliases: AliasMap = {}
        self._fx_cache: dict[date, FxRates] = {}
        self._dirty = threading.Event()
        self._checked = 0.0
        self._refresh_lock: asyncio.Lock | None = None
        self._listener = (
            ChangeListener(engine=engine, on_change=self._dirty.set)
            if listen and engine.dialect.name == "postgresql"
            else None
        )

    # -- full load -------------------------------------------------------------------------
    def load(self) -> None:
        """Build the index from the whole catalogue (blocking; run it in a thread at start)."""
        started = time.perf_counter()
        if self._listener is not None:
            self._listener.start()  # before reading, so no change between the two is missed
        self._dirty.clear()  # what the load reads is current; later changes set it again
        # Reuse the empty index made at construction: building one loads the photo vocabulary.
        index = self.index if not self.ready and len(self.index) == 0 else new_match_index()
        with self._engine.connect() as conn:
            versions = read_versions(conn)
            self._aliases = load_aliases(conn)
            for record, active in iter_products(conn):
                if active:
                    index.upsert_product(record)
            for image in iter_images(conn):
                if image.product_id in index.products:
                    index.upsert_image(image)
            self.fx = load_fx_table(conn)
            self.scoring = current_settings(conn)
        self.index = index
        self.catalog_version = versions.catalog
        self._fx_cache = {}
        self._checked = time.monotonic()
        self.load_seconds = time.perf_counter() - started
        self.ready = True
        log.info(
            "index loaded: %d products, %d images, version %d, %.2f s",
            len(index),
            len(index.images),
            versions.catalog,
            self.load_seconds,
        )

    @property
    def is_dirty(self) -> bool:
        """Whether a change was signalled that the index has not applied yet."""
        return self._dirty.is_set()

    def mark_dirty(self) -> None:
        """Make the next screening check the database versions (after a change made here)."""
        self._dirty.set()

    def stop(self) -> None:
        """Stop listening for changes."""
        if self._listener is not None:
            self._listener.stop()

    # -- staying current -------------------------------------------------------------------
    async def ensure_current(self) -> None:
        """Bring the index up to the database's versions if a change may have happened."""
        if not self._dirty.is_set() and time.monotonic() - self._checked < self.check_interval:
            return
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            if not self._dirty.is_set() and time.monotonic() - self._checked < self.check_interval:
                return  # another request refreshed while this one waited
            self._dirty.clear()
            self._checked = time.monotonic()
            with self._engine.connect() as conn:  # a single-row read: cheap enough inline
                versions = read_versions(conn)
            if versions.catalog != self.catalog_version:
                delta = await asyncio.to_thread(self._fetch, self.catalog_version)
                self.apply(delta)
            if versions.fx != self.fx.version or versions.settings != self.scoring.version:
                await asyncio.to_thread(self._reload_settings)

    def refresh_sync(self) -> None:
        """Bring everything up to date now (for the CLI and tests, outside an event loop)."""
        with self._engine.connect() as conn:
            versions = read_versions(conn)
        if versions.catalog != self.catalog_version:
            self.apply(self._fetch(self.catalog_version))
        self._reload_settings()

    def _fetch(self, since: int) -> Delta:
        known = set(self.index.products) | set(self.index.images)
        with self._engine.connect() as conn:
            return fetch_delta(conn, since=since, known_ids=known)

    def _reload_settings(self) -> None:
        with self._engine.connect() as conn:
            fx = load_fx_table(conn)
            scoring = current_settings(conn)
        self.fx, self.scoring, self._fx_cache = fx, scoring, {}

    def apply(self, delta: Delta) -> None:
        """Apply a delta to the index (call on the thread that screens)."""
        index = self.index
        for gone in sorted(delta.gone_ids):
            index.remove_image(gone)
            index.remove_product(gone)
        for record, active in delta.products:
            if active:
                index.upsert_product(record)
            else:
                index.remove_product(record.product_id)
        for image in delta.images:
            if image.product_id in index.products:
                index.upsert_image(image)
            else:
                index.remove_image(image.image_id)
        if delta.aliases != self._aliases:
            changed = {
                k
                for k in set(delta.aliases) | set(self._aliases)
                if delta.aliases.get(k) != self._aliases.get(k)
            }
            for record in list(index.products.values()):
                key = (record.rights_holder_id, brand_key(record.brand))
                if key in changed:
                    aliases = tuple(delta.aliases.get(key, ()))
                    index.upsert_product(dataclasses.replace(record, brand_aliases=aliases))
            self._aliases = delta.aliases
        self.catalog_version = max(self.catalog_version, delta.catalog_version)

    # -- exchange rates --------------------------------------------------------------------
    def fx_for(self, day: date) -> FxRates:
        """The exchange rates valid on `day`, as the engine takes them (cached per day)."""
        cached = self._fx_cache.get(day)
        if cached is None:
            rates = tuple(
                FxRate(base=cur, quote=quote, rate=p.rate, valid_from=p.start, valid_to=p.end)
                for (cur, quote), periods in sorted(self.fx.periods.items())
                for p in periods
                if p.start <= day <= p.end
            )
            cached = FxRates(rates=rates)
            if len(self._fx_cache) > 1000:
                self._fx_cache.clear()
            self._fx_cache[day] = cached
        return cached
