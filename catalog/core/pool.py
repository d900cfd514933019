"""Prepare uploaded images in worker processes, so decoding never stalls the server.

Decoding a phone photo and computing its hashes and local features takes a few
hundred milliseconds of CPU, much of it holding the GIL; in a process pool the
event loop and other requests keep running. A pool process that dies (a decoder
crash, the OOM killer) is replaced and the upload is refused with a 422.
With `workers=0` the work runs in a thread instead (tests, tiny deployments).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from catalog.core.errors import Unprocessable
from catalog.products.images import PreparedImage, prepare_image

T = TypeVar("T")


class ImageProcessor:
    """Runs `prepare_image` in a pool of `workers` processes (0: in a thread)."""

    def __init__(self, *, workers: int, max_pixels: int) -> None:
        self.workers = workers
        self.max_pixels = max_pixels
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: forking a threaded server process is unsafe.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            return self._pool

    async def prepare(self, raw: bytes) -> PreparedImage:
        """Decode, re-encode and describe an upload (Unprocessable if it is not usable)."""
        return await self.run(_prepare_job, raw, self.max_pixels)

    async def run(self, job: Callable[..., T], *args: Any) -> T:
        """Run a picklable image `job(*args)` in the pool (a thread with `workers=0`)."""
        if self.workers <= 0:
            return await asyncio.to_thread(job, *args)
        pool = self._executor()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, job, *args)
        except BrokenProcessPool as exc:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise Unprocessable(
                "decoding this file crashed its worker process", slug="undecodable-image"
            ) from exc

    def close(self) -> None:
        """Stop the pool's processes."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _prepare_job(raw: bytes, max_pixels: int) -> PreparedImage:
    return prepare_image(raw, max_pixels=max_pixels)
