"""Keep a current in-memory `MatchIndex` in every worker, in step with the catalogue version.

At start the index comes from the data folder's snapshot of it (`snapshot.py`) plus the
changes since the snapshot's version; without a usable snapshot, one worker reads the whole
catalogue in bulk (only the columns the engine needs) and stores a snapshot for the others.
After that a screening calls `ensure_current()`: when a PostgreSQL NOTIFY arrived,
or when the last check is older than `check_interval`, one cheap query (in a thread, off
the event loop) reads the catalogue, fx and settings versions; on SQLite it is skipped while
`PRAGMA data_version` says nothing was committed since (`freshness.py`, microseconds on the
loop); if the catalogue moved, only the products,
images and aliases changed since the index's version are fetched (in a thread)
and applied (on the event loop, where screenings read the index, so no reader
ever sees a half-applied record). A large change is applied in chunks so the loop
stays responsive, and a screening waits in `settled()` until the whole change is in:
the index a screening scores against is always exactly `catalog_version`. Deleted
rows are found through the audit events of the versions in between.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import threading
import time
from collections.abc import Container, Iterator
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from catalog.access.privacy import authorised_parties
from catalog.index.builder import active_products, build_in_child
from catalog.index.catalog_delta import Delta, Versions, fetch_delta, read_versions
from catalog.index.change_listener import ChangeListener
from catalog.index.engine_metrics import record_index
from catalog.index.engine_records import AliasMap, iter_images, iter_products, load_aliases
from catalog.index.freshness import DataVersionProbe
from catalog.index.snapshot import MAPPED, SnapshotStore
from catalog.products.validation import brand_key
from catalog.screening.fx import FxTable, load_fx_table
from catalog.screening.thresholds import ScoringSnapshot, current_settings
from matchers.engine import DEFAULT_THRESHOLDS, MatchIndex
from matchers.scoring import FxRates
from matchers.text.commonness import warm as warm_word_lists

log = logging.getLogger(__name__)


class IndexHolder:
    """A worker's current index, fx rates and scoring settings, and how they stay current."""

    def __init__(
        self,
        *,
        engine: Engine,
        check_interval: float,
        listen: bool = True,
        refresh_wait: float = 0.25,
        snapshots: SnapshotStore | None = None,
        build_in_child_over: int | None = 20_000,
    ) -> None:
        self._engine = engine
        # Above this many products, a snapshot is built by a child process (None: never).
        self.build_in_child_over = build_in_child_over
        self.check_interval = check_interval
        self.refresh_wait = refresh_wait
        self.index = MatchIndex()
        self.catalog_version = -1
        self.database_version = -1  # the catalogue version read at the last check
        self.fx = FxTable()
        self.scoring = ScoringSnapshot(version=0, thresholds=DEFAULT_THRESHOLDS)
        self.ready = False
        self.load_seconds: float | None = None
        self.load_error: str | None = None
        self.load_source: str | None = None  # "snapshot" or "database"
        self.snapshots = snapshots
        self._aliases: AliasMap = {}
        # Every authorised trade-party name the index's products have listed, in order (a set
        # that only grows while the index is the same: `PartyNames` maps only what is new).
        self.parties: dict[str, None] = {}
        self._fx_cache: dict[date, FxRates] = {}
        self._dirty = threading.Event()
        self._stopped = threading.Event()
        self.load_attempts = 0
        self._checked = 0.0
        self._refreshing: asyncio.Future[None] | None = None
        self._applying: asyncio.Future[None] | None = None  # set while a change is half in
        self._listener = (
            ChangeListener(engine=engine, on_change=self._dirty.set)
            if listen and engine.dialect.name == "postgresql"
            else None
        )
        self._probe = DataVersionProbe.for_engine(engine)

    # -- full load -------------------------------------------------------------------------
    def load(self) -> None:
        """Make the index current (blocking; run it in a thread at start).

        With a snapshot store: from the stored snapshot plus the changes since its version;
        without a usable one, one process builds from the whole catalogue (under the store's
        lock, so the other workers wait and then load what it wrote) and stores it.
        """
        started = time.perf_counter()
        if self._listener is not None:
            self._listener.start()  # before reading, so no change between the two is missed
        self._dirty.clear()  # what the load reads is current; later changes set it again
        if self._probe is not None:
            self._probe.mark()  # likewise: a commit after this moves the data version
        # The cyclic GC would walk the growing index again and again while it is built, and
        # then every full collection would stop the worker to walk millions of long-lived
        # objects (p99 over 1 s at 100k products): build without it, then freeze what exists.
        gc.disable()
        try:
            warm_word_lists()  # before ready: the first screening would otherwise load them
            source = self._load_from_store()
            with self._engine.connect() as conn:
                self.fx = load_fx_table(conn)
                self.scoring = current_settings(conn)
            self._warm_up()
        finally:
            gc.enable()
        if source == "database":
            # A build leaves cycles behind (rows, temporary structures): collect them first.
            # A snapshot load makes next to none, and this walk of every object cost 0.67 s of
            # the 3.3 s of CPU a 100k load takes; the few it would find stay frozen instead.
            gc.collect()
        gc.freeze()
        self.database_version = max(self.database_version, self.catalog_version)
        self._publish()
        self._fx_cache = {}
        self._checked = time.monotonic()
        self.load_seconds = time.perf_counter() - started
        self.load_source = source
        self.ready = True
        log.info(
            "index loaded (%s): %d products, %d images, version %d, %.2f s",
            source,
            len(self.index),
            len(self.index.images),
            self.catalog_version,
            self.load_seconds,
        )

    def _warm_up(self) -> None:
        """One throwaway assessment before ready: the first screening would pay ~0.1 s for it."""
        today = datetime.now(UTC).date()
        try:
            self.index.warm_up(
                weights=self.scoring.weights,
                thresholds=self.scoring.thresholds,
                fx=self.fx.engine_rates(today),
                today=today,
            )
        except Exception:  # a screening would meet the same error, and report it
            log.warning("warming the screening index up failed", exc_info=True)

    def _load_from_store(self) -> str:
        """Set the index from the snapshot (then its delta) or from the database; say which."""
        store = self.snapshots
        if store is None:
            self.build()
            return "database"
        if self._from_snapshot(store):
            return "snapshot"
        with store.building():
            if self._from_snapshot(store):  # built by another worker while this one waited
                return "snapshot"
            if self._built_in_child(store):
                return "database"
            self.build()
            if self.write_snapshot(store):
                self._share_text(store)
        return "database"

    def _built_in_child(self, store: SnapshotStore) -> bool:
        """A large catalogue is built by a child process (`builder.py`), then loaded from the
        file it wrote, so this worker's heap never holds the build; False: build here."""
        limit = self.build_in_child_over
        if limit is None or active_products(self._engine) <= limit:
            return False
        if build_in_child(self._engine, store) and self._from_snapshot(store):
            return True
        log.warning("the index snapshot was not built in a child process: building it here")
        return False

    def write_snapshot(self, store: SnapshotStore) -> bool:
        """Store the index as `store`'s snapshot of its catalogue version; whether it was."""
        written = store.write(
            catalog_version=self.catalog_version,
            index=self.index,
            aliases=self._aliases,
            parties=self.parties,
        )
        if written:
            log.info("index snapshot written: %s", store.path)
        return written

    def _share_text(self, store: SnapshotStore) -> None:
        """Search the text index (and read the tables) mapped from the file just written.

        The two are the same index (at the same version), but the mapped one's pages are
        shared with every other worker, so the builder's memory falls to theirs.
        """
        snapshot = store.read()
        if snapshot is not None:
            self.index.text = snapshot.index.text
            for attribute in MAPPED:  # the products, facts and GTIN owners, likewise
                self.index.__dict__[attribute] = snapshot.index.__dict__[attribute]

    def _from_snapshot(self, store: SnapshotStore) -> bool:
        snapshot = store.read()
        if snapshot is None:
            return False
        with self._engine.connect() as conn:
            current = read_versions(conn).catalog
            if snapshot.catalog_version > current:  # a database restored to an older state
                log.warning("index snapshot (version %d) is ahead of the database (%d): not used",
                            snapshot.catalog_version, current)  # fmt: skip
                return False
            index = snapshot.index
            for image in iter_images(conn, until_version=snapshot.catalog_version):
                if image.product_id in index.products:
                    index.upsert_image(image)
        self.index, self._aliases = index, snapshot.aliases
        self.parties = dict.fromkeys(snapshot.parties)
        self.catalog_version = self.database_version = snapshot.catalog_version
        delta = self._fetch(snapshot.catalog_version)
        self.apply(delta)  # the changes made since
        changed = len(delta.products) + len(delta.images) + len(delta.gone_ids)
        if changed > max(1000, len(index) // 20):  # keep the next start's delta small
            with store.building():
                self.write_snapshot(store)
        return True

    def build(self) -> None:
        """The index of the whole catalogue, read from the database."""
        # Reuse the empty index made at construction: building one loads the photo vocabulary.
        index = self.index if not self.ready and len(self.index) == 0 else MatchIndex()
        parties: dict[str, None] = {}
        with self._engine.connect() as conn:
            versions = read_versions(conn)
            self._aliases = load_aliases(conn)
            for record, active in iter_products(conn, until_version=versions.catalog):
                if active:
                    index.upsert_product(record)
                    parties.update(dict.fromkeys(authorised_parties(record)))
            for image in iter_images(conn, until_version=versions.catalog):
                if image.product_id in index.products:
                    index.upsert_image(image)
        self.index, self.parties = index, parties
        self.catalog_version = self.database_version = versions.catalog

    def load_retrying(self, *, first_delay: float = 0.5, max_delay: float = 30.0) -> bool:
        """`load()` until it succeeds, waiting longer after each failure (blocking; a thread).

        A worker started while its database is down would otherwise never load its index:
        /readyz answers 503 (with Retry-After) until a load succeeds, and each failure is
        logged with the wait before the next attempt (doubling, at most `max_delay`).
        Returns whether the index is loaded (False only when `stop()` came first).
        """
        delay = first_delay
        while not self._stopped.is_set():
            self.load_attempts += 1
            try:
                self.load()
            except Exception as exc:
                self.load_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "loading the screening index failed (attempt %d), retrying in %.1f s: %s",
                    self.load_attempts, delay, self.load_error,
                )  # fmt: skip
                if self._stopped.wait(delay):
                    break
                delay = min(max_delay, delay * 2)
            else:
                self.load_error = None
                return True
        return False

    def _publish(self) -> None:
        record_index(
            catalog_version=self.catalog_version,
            database_version=self.database_version,
            products=len(self.index),
            images=len(self.index.images),
        )

    @property
    def is_dirty(self) -> bool:
        """Whether a change was signalled that the index has not applied yet."""
        return self._dirty.is_set()

    def mark_dirty(self) -> None:
        """Make the next screening check the database versions (after a change made here)."""
        self._dirty.set()

    def stop(self) -> None:
        """Stop listening for changes (and stop retrying a failed load)."""
        self._stopped.set()
        if self._listener is not None:
            self._listener.stop()
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    # -- staying current -------------------------------------------------------------------
    async def settled(self) -> None:
        """Return once no change is half applied; score right after, without awaiting."""
        while self._applying is not None:
            await asyncio.shield(self._applying)

    async def ensure_current(self, *, full: bool = False) -> None:
        """Bring the index up to the database's versions if a change may have happened.

        A screening waits for the refresh up to `refresh_wait` seconds (`full`: until
        done): a small change is applied before it is scored; a bulk import keeps
        being applied in the background, chunk by chunk, while screenings go on.
        """
        task = self._refreshing
        if task is None:
            if not self._dirty.is_set() and time.monotonic() - self._checked < self.check_interval:
                return
            dirty = self._dirty.is_set()
            self._dirty.clear()
            self._checked = time.monotonic()
            if not dirty and self._probe is not None and not self._probe.changed():
                return  # nothing committed to the SQLite file since the last read
            task = self._refreshing = asyncio.ensure_future(self._refresh())
        await asyncio.wait({task}, timeout=None if full else self.refresh_wait)

    async def _refresh(self) -> None:
        try:
            versions = await asyncio.to_thread(self._read_versions)
            self.database_version = versions.catalog
            self._publish()
            if versions.catalog != self.catalog_version:
                delta = await asyncio.to_thread(self._fetch, self.catalog_version)
                self._applying = asyncio.get_running_loop().create_future()
                try:
                    for _ in self._apply_steps(delta):
                        await asyncio.sleep(0)  # other requests run between chunks
                finally:
                    self._applying.set_result(None)
                    self._applying = None
            if versions.fx != self.fx.version or versions.settings != self.scoring.version:
                await asyncio.to_thread(self._reload_settings)
        except Exception:  # the next check retries; screening goes on with the index as is
            log.exception("refreshing the screening index failed")
            self._dirty.set()
        finally:
            self._refreshing = None

    def _read_versions(self) -> Versions:
        with self._engine.connect() as conn:
            return read_versions(conn)

    def refresh_sync(self) -> None:
        """Bring everything up to date now (for the CLI and tests, outside an event loop)."""
        with self._engine.connect() as conn:
            versions = read_versions(conn)
        self.database_version = versions.catalog
        if versions.catalog != self.catalog_version:
            self.apply(self._fetch(self.catalog_version))
        self._reload_settings()

    def _fetch(self, since: int) -> Delta:
        # Asked of the index's own maps: a set of all their ids walked every product each time.
        known = _KnownIds(self.index.products, self.index.images)
        with self._engine.connect() as conn:
            return fetch_delta(conn, since=since, known_ids=known)

    def _reload_settings(self) -> None:
        with self._engine.connect() as conn:
            fx = load_fx_table(conn)
            scoring = current_settings(conn)
        self.fx, self.scoring, self._fx_cache = fx, scoring, {}

    def apply(self, delta: Delta) -> None:
        """Apply a delta to the index at once (call on the thread that screens)."""
        for _ in self._apply_steps(delta):
            pass

    def _apply_steps(self, delta: Delta, *, chunk: int = 200) -> Iterator[None]:
        """Apply a delta, pausing (yielding) every `chunk` changes; the version moves last."""
        index = self.index
        for gone in sorted(delta.gone_ids):
            index.remove_image(gone)
            index.remove_product(gone)
        for n, (record, active) in enumerate(delta.products, 1):
            if active:
                index.upsert_product(record)
                self.parties.update(dict.fromkeys(authorised_parties(record)))
            else:
                index.remove_product(record.product_id)
            if n % chunk == 0:
                yield
        for n, image in enumerate(delta.images, 1):
            if image.product_id in index.products:
                index.upsert_image(image)
            else:
                index.remove_image(image.image_id)
            if n % chunk == 0:
                yield
        if delta.aliases != self._aliases:
            changed = {
                k
                for k in set(delta.aliases) | set(self._aliases)
                if delta.aliases.get(k) != self._aliases.get(k)
            }
            # Only the changed brands' products, in the index's order (as a pass over all).
            for n, pid in enumerate(index.products_of_brands(changed), 1):
                record = index.products[pid]
                key = (record.rights_holder_id, brand_key(record.brand))
                aliases = tuple(delta.aliases.get(key, ()))
                index.upsert_product(dataclasses.replace(record, brand_aliases=aliases))
                if n % chunk == 0:
                    yield
            self._aliases = delta.aliases
        self.catalog_version = max(self.catalog_version, delta.catalog_version)
        self.database_version = max(self.database_version, self.catalog_version)
        self._publish()

    # -- exchange rates --------------------------------------------------------------------
    def fx_for(self, day: date) -> FxRates:
        """The exchange rates valid on `day`, as the engine takes them (cached per day)."""
        cached = self._fx_cache.get(day)
        if cached is None:
            cached = self.fx.engine_rates(day)
            if len(self._fx_cache) > 1000:
                self._fx_cache.clear()
            self._fx_cache[day] = cached
        return cached


@dataclasses.dataclass(frozen=True, slots=True)
class _KnownIds(Container[str]):
    """The ids of an index's products and images, as one container (nothing copied)."""

    products: Container[str]
    images: Container[str]

    def __contains__(self, key: object) -> bool:
        return key in self.products or key in self.images
