"""Group-commit writer: one thread owns a connection and commits many screenings per transaction.

A transaction per request costs a durable flush each (fsync on SQLite, a WAL flush
on PostgreSQL); at a thousand screenings a second that is the whole budget. Here
requests hand their rows to a queue and await a future; the writer thread takes
everything queued, inserts it with one executemany per table in one transaction,
commits once, then resolves every future of the batch. A failed batch is retried
row by row so one bad row fails only its own request.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert

log = logging.getLogger(__name__)

Rows = Mapping[Table, Sequence[Mapping[str, Any]]]


class WriterClosedError(RuntimeError):
    """The writer is stopped and accepts no more rows."""


@dataclass(slots=True)
class _Job:
    rows: Rows
    future: Future[None] = field(default_factory=Future)


class GroupCommitWriter:
    """Batches inserts from many requests into few transactions on one connection."""

    def __init__(self, *, engine: Engine, max_batch: int = 512, table_order: Sequence[Table]):
        self._engine = engine
        self._max_batch = max_batch
        self._order = tuple(table_order)
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0
        self.rows_written = 0

    def start(self) -> None:
        """Start the writer thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="screening-writer", daemon=True)
            self._thread.start()

    def submit(self, rows: Rows) -> Future[None]:
        """Queue rows for the next batch; the future resolves once they are committed."""
        if self._closed:
            raise WriterClosedError("the screening writer is stopped")
        job = _Job(rows)
        self._queue.put(job)
        return job.future

    async def write(self, rows: Rows) -> None:
        """Queue rows and wait, without blocking the event loop, until they are committed."""
        await asyncio.wrap_future(self.submit(rows))

    def write_sync(self, rows: Rows) -> None:
        """Queue rows and block until they are committed (for threads and the CLI)."""
        self.submit(rows).result()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop the thread."""
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        with self._engine.connect() as conn:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                jobs = [first]
                stop = False
                while len(jobs) < self._max_batch:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        stop = True
                        break
                    jobs.append(nxt)
                self._commit(conn, jobs)
                if stop:
                    return

    def _commit(self, conn: Connection, jobs: list[_Job]) -> None:
        try:
            self._insert(conn, jobs)
        except Exception:
            log.exception("group commit of %d screenings failed; retrying one by one", len(jobs))
            for job in jobs:
                try:
                    self._insert(conn, [job])
                except Exception as exc:  # one bad row fails only its own request
                    job.future.set_exception(exc)
                else:
                    job.future.set_result(None)
            return
        for job in jobs:
            job.future.set_result(None)

    def _insert(self, conn: Connection, jobs: list[_Job]) -> None:
        try:
            for table in self._order:
                rows = [row for job in jobs for row in job.rows.get(table, ())]
                if rows:
                    conn.execute(insert(table), rows)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        self.batches += 1
        self.rows_written += len(jobs)
