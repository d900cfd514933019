"""The process's one pool for image work, so decoding never stalls the server.

Decoding a phone photo and computing its hashes and local features takes tens to
hundreds of milliseconds of CPU, much of it holding the GIL; in a process pool the
event loop and other requests keep running. Two kinds of job share the pool:
reference uploads (`prepare`: decode, re-encode, describe) and images sent with
declarations (`describe`: reduce and describe).

A pool process that dies (a decoder crash, the OOM killer, a kill) breaks the
whole `ProcessPoolExecutor`: every job in flight fails and every later submit
fails at once. The broken pool is replaced by a fresh one and the job tried once
more; a job that breaks the fresh pool too is refused with a 422. With
`workers=0` the work runs in a thread instead (tests, tiny deployments).

One client must not fill the pool for everyone: `ClientImageJobs` lets a client
have at most `per_client` jobs in the pool at once. A request's own jobs queue
behind each other for those slots; a request arriving while all of its client's
slots are taken is refused at once with 429 and Retry-After.

`ImageProcessor.admit` puts both bounds in front of every route that decodes images
(screenings, officers' checks, reference uploads): first the request's pixel budget,
read from the images' headers (413 `image-pixel-budget`, before any decoding), then
its client's slots (429 `too-many-image-jobs`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from catalog.core.errors import TooManyRequests, Unprocessable
from catalog.products.images import PreparedImage, prepare_image
from catalog.screening.declared_images import DescribedImage, check_pixel_budget, describe_bytes

T = TypeVar("T")


class ClientImageJobs:
    """At most `limit` image jobs of one client in the pool at once (state of one event loop)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._clients: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @asynccontextmanager
    async def request(self, client: str) -> AsyncIterator[asyncio.Semaphore]:
        """Admit one request of `client` (429 if its slots are all taken); yields the
        semaphore each of the request's jobs holds while it is in the pool."""
        slots, users = self._clients.get(client) or (asyncio.Semaphore(self.limit), [0])
        if slots.locked():
            raise TooManyRequests(
                f"this client already has {self.limit} image jobs running, the most it may "
                "have at once; retry after the given delay",
                slug="too-many-image-jobs",
            )
        self._clients[client] = (slots, users)
        users[0] += 1
        try:
            yield slots
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._clients[client]


class ImageProcessor:
    """Runs image jobs in a pool of `workers` spawned processes (0: in a thread)."""

    def __init__(
        self,
        *,
        workers: int,
        max_pixels: int,
        declared_max_pixels: int,
        reduce_to: int,
        per_client: int = 4,
    ) -> None:
        self.workers = workers
        self.max_pixels = max_pixels
        self.declared_max_pixels = declared_max_pixels
        self.reduce_to = reduce_to
        self.client_jobs = ClientImageJobs(per_client)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @asynccontextmanager
    async def admit(
        self,
        client: str,
        payloads: Sequence[bytes],
        *,
        budget: int | None,
        reduce_to: int | None,
    ) -> AsyncIterator[asyncio.Semaphore | None]:
        """Admit one request's image work: its `payloads` may decode to at most `budget`
        pixels in total (413, from their headers; `reduce_to` as they will be decoded, None
        for a full decode), and its `client` must have a free slot (429). Yields the slots
        its jobs take turns on (None: nothing to decode, nothing bounded)."""
        if not payloads:
            yield None
            return
        if budget is not None:
            check_pixel_budget(payloads, budget=budget, reduce_to=reduce_to)
        async with self.client_jobs.request(client) as slots:
            yield slots

    async def prepare(self, raw: bytes) -> PreparedImage:
        """Decode, re-encode and describe an upload (Unprocessable if it is not usable)."""
        return await self.run(prepare_image, raw, max_pixels=self.max_pixels)

    async def describe(self, data: bytes) -> DescribedImage:
        """Describe a declared image (matchers' ImageError if it is not an image)."""
        return await self.run(
            describe_bytes, data, max_pixels=self.declared_max_pixels, reduce_to=self.reduce_to
        )

    async def run(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a picklable `job` in the pool (in a thread if `workers=0`), retried on a crash."""
        if self.workers <= 0:
            return await asyncio.to_thread(job, *args, **kwargs)
        try:
            return await self._submit(job, *args, **kwargs)
        except BrokenProcessPool:
            pass  # broken before this job, or by a job beside it: once more, on a fresh pool
        try:
            return await self._submit(job, *args, **kwargs)
        except BrokenProcessPool as exc:
            raise Unprocessable(
                "decoding this image crashed its worker process", slug="undecodable-image"
            ) from exc

    async def _submit(self, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        pool = self._executor()
        try:
            return await asyncio.wrap_future(pool.submit(job, *args, **kwargs))
        except BrokenProcessPool:
            self._discard(pool)
            raise

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # Spawned, not forked: the server process has threads (index listener,
                # group-commit writer) whose locks a fork could copy in a held state.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        # Jobs that failed together must not each replace the pool a sibling just made.
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the pool's processes."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
