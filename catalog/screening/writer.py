"""Group-commit writer: one thread owns a connection and commits many screenings per transaction.

A transaction per request costs a durable flush each (fsync on PostgreSQL); at a
thousand screenings a second that is the whole budget. Here requests hand their
rows over and await a future; the writer thread takes everything queued, inserts
it with one executemany per table in one transaction, commits once, then
resolves every future of the batch. A failed batch is retried row by row so one
bad row fails only its own request.

Every screening it stores is in the decision log from the same transaction: one batch
entry per group commit (see catalog/access/decision_log.py), whose Merkle root covers
the digests of all the batch's screenings, chained as the batch's last step, so the
head lock that keeps the chain in one order across workers is held only through the
commit. Each screening row is stored with its place in that entry (`log_batch`, the
entry's id, and `log_leaf`, its leaf), appended to its bound tuple in the thread.

The writer thread does as little as it can. In the caller's thread (`write`,
`submit`), each row is bound once into a plain tuple (`catalog/core/bulk.py`): every
JSON column serialised once with orjson, and the decision-log digest of each
screening computed from exactly those bytes and its hit rows. The thread then only
runs one DBAPI `executemany` per table, chains the digests under the head lock and
commits.

Durability: a request's future resolves only after the commit of the transaction
holding its rows and its log entry, so a 201 means the screening, its hits, its
webhook event and its decision-log entry are durable together (PostgreSQL: flushed
by its commit; SQLite: in WAL mode with `synchronous=NORMAL` a commit survives a
crash of the process, the last commits may be lost on a power cut of the machine).

Crossing threads costs a GIL hand-off each time, so both directions are batched:
requests of one event-loop iteration reach the thread as one queue item, and one
`call_soon_threadsafe` per batch resolves all their futures on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table

from catalog.access import decision_log
from catalog.core.bulk import BulkInsert, json_columns, json_text
from catalog.core.ids import new_id

log = logging.getLogger(__name__)

Rows = Mapping[Table, Sequence[Mapping[str, Any]]]


class WriterClosedError(RuntimeError):
    """The writer is stopped and accepts no more rows."""


@dataclass(slots=True)
class _Job:
    rows: Mapping[Table, list[tuple[Any, ...]]]  # bound for the table's BulkInsert
    digests: list[decision_log.Digest]
    future: Future[None] | None = None  # a caller outside the event loop
    waiter: asyncio.Future[None] | None = None  # a coroutine on `loop`
    loop: asyncio.AbstractEventLoop | None = None


class GroupCommitWriter:
    """Batches inserts from many requests into few transactions on one connection."""

    def __init__(self, *, engine: Engine, max_batch: int = 512, table_order: Sequence[Table]):
        self._engine = engine
        self._max_batch = max_batch
        self._order = tuple(table_order)
        self._logged = tuple(t for t in self._order if t.name in decision_log.KIND_OF_TABLE)
        for table in self._logged:
            if not set(decision_log.POSITION) <= set(table.c.keys()):
                raise ValueError(f"{table.name} rows cannot be logged in a batch (no place)")
        self._bulk = {
            table: BulkInsert(
                table,
                engine.dialect,
                trailing=decision_log.POSITION if table in self._logged else (),
            )
            for table in self._order
        }
        self._json = {table: json_columns(table) for table in self._order}
        self._log_bulk = BulkInsert(decision_log.ENTRY, engine.dialect)
        self._queue: queue.SimpleQueue[list[_Job] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._pending: list[_Job] = []
        self._flush_scheduled = False
        self.batches = 0
        self.rows_written = 0

    def start(self) -> None:
        """Start the writer thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="screening-writer", daemon=True)
            self._thread.start()

    def submit(self, rows: Rows) -> Future[None]:
        """Queue rows from any thread; the future resolves once they are committed."""
        if self._closed:
            raise WriterClosedError("the screening writer is stopped")
        job = self._job(rows)
        job.future = Future()
        self._queue.put([job])
        assert job.future is not None
        return job.future

    async def write(self, rows: Rows) -> None:
        """Queue rows and wait, without blocking the event loop, until they are committed."""
        if self._closed:
            raise WriterClosedError("the screening writer is stopped")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        job = self._job(rows)
        job.waiter, job.loop = waiter, loop
        self._pending.append(job)
        if not self._flush_scheduled:  # one hand-off for all requests of this loop iteration
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        await waiter

    def _job(self, rows: Rows) -> _Job:
        # In the caller's thread: serialise JSON once, digest the logged rows, bind tuples.
        logged: dict[Table, Sequence[Mapping[str, Any]]] = {}
        bound: dict[Table, list[tuple[Any, ...]]] = {}
        for table in self._order:
            table_rows: Sequence[Mapping[str, Any]] = rows.get(table, ())
            if not table_rows:
                continue
            names = self._json[table]
            if names and table.name in decision_log.KIND_OF_TABLE:
                table_rows = [_serialised(row, names) for row in table_rows]
            if table.name in decision_log.KIND_OF_TABLE or table is decision_log.HIT:
                logged[table] = table_rows
            bulk = self._bulk[table]
            bound[table] = [bulk.row(row) for row in table_rows]
        return _Job(bound, decision_log.digests_of(logged))

    def write_sync(self, rows: Rows) -> None:
        """Queue rows and block until they are committed (for threads and the CLI)."""
        self.submit(rows).result()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop the thread."""
        self._flush()
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _flush(self) -> None:
        self._flush_scheduled = False
        jobs, self._pending = self._pending, []
        if jobs:
            self._queue.put(jobs)

    def _run(self) -> None:
        conn: Connection | None = None
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                jobs = list(first)
                stop = False
                while len(jobs) < self._max_batch:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    jobs.extend(more)
                conn = self._connect_and_commit(conn, jobs)
                if stop:
                    return
        finally:
            if conn is not None:
                conn.close()

    def _connect_and_commit(self, conn: Connection | None, jobs: list[_Job]) -> Connection | None:
        # Connect on demand: with the database down the batch fails (503 to its requests)
        # and the thread lives on, so the next batch after recovery is written.
        if conn is None:
            try:
                conn = self._engine.connect()
            except Exception as exc:
                log.warning("screening writer cannot connect: %s", exc)
                _resolve([(job, exc) for job in jobs])
                return None
        self._commit(conn, jobs)
        return conn

    def _commit(self, conn: Connection, jobs: list[_Job]) -> None:
        outcomes: list[tuple[_Job, BaseException | None]]
        try:
            self._insert(conn, jobs)
            outcomes = [(job, None) for job in jobs]
        except Exception:
            log.exception("group commit of %d screenings failed; retrying one by one", len(jobs))
            outcomes = []
            for job in jobs:
                try:
                    self._insert(conn, [job])
                except Exception as exc:  # one bad row fails only its own request
                    outcomes.append((job, exc))
                else:
                    outcomes.append((job, None))
        _resolve(outcomes)

    def _insert(self, conn: Connection, jobs: list[_Job]) -> None:
        # Leaf i of the batch entry is the i-th logged row: job by job, then in table
        # order, then row by row, the order `digests_of` gave each job's digests in.
        batch_id = new_id()
        placed: dict[Table, list[tuple[Any, ...]]] = {table: [] for table in self._logged}
        leaf = 0
        for job in jobs:
            for table in self._logged:
                out = placed[table]
                for row in job.rows.get(table, ()):
                    out.append((*row, batch_id, leaf))
                    leaf += 1
        try:
            for table in self._order:
                rows = placed.get(table)
                if rows is None:
                    rows = [row for job in jobs for row in job.rows.get(table, ())]
                self._bulk[table].run(conn, rows)
            digests = [d for job in jobs for d in job.digests]
            decision_log.append_batch(conn, digests, batch_id=batch_id, bulk=self._log_bulk)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        self.batches += 1
        self.rows_written += len(jobs)


def _serialised(row: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    out = dict(row)
    for name in names:
        if out.get(name) is not None:
            out[name] = json_text(out[name])
    return out


def _resolve(outcomes: list[tuple[_Job, BaseException | None]]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, BaseException | None]]] = {}
    for job, exc in outcomes:
        if job.future is not None:
            if exc is None:
                job.future.set_result(None)
            else:
                job.future.set_exception(exc)
        elif job.loop is not None:
            by_loop.setdefault(job.loop, []).append((job, exc))
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_wake, items)


def _wake(items: list[tuple[_Job, BaseException | None]]) -> None:
    for job, exc in items:
        waiter = job.waiter
        if waiter is None or waiter.done():
            continue
        if exc is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(exc)
