"""Describe declared images off the event loop, in a process pool.

Decoding and feature extraction take tens of milliseconds of CPU a photo; run
inline they would stall every other request of the worker.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

from matchers.images.decode import ImageError, load_image


class BadImageDataError(ValueError):
    """The `data` of a declared image is not valid base64."""


@dataclass(frozen=True, slots=True)
class DescribedImage:
    """The features of one declared image, as the engine and the stored record need them."""

    hashes: dict[str, str]
    local_features: bytes | None


def decode_base64(data: str) -> bytes:
    """Decode a base64 (standard or URL-safe, padding optional) image payload."""
    cleaned = "".join(data.split())
    if cleaned.startswith("data:") and "," in cleaned:  # accept a data: URL as browsers make it
        cleaned = cleaned.split(",", 1)[1]
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadImageDataError("image `data` is not valid base64") from exc


def describe_bytes(data: bytes, *, max_pixels: int, reduce_to: int) -> DescribedImage:
    """Decode image bytes and compute every feature the engine uses (raises ImageError)."""
    from matchers.images.describe import describe  # the engine's module; imported in the worker

    im = load_image(data, max_pixels=max_pixels, reduce_to=reduce_to)
    desc = describe(im)
    return DescribedImage(hashes=dict(desc.hashes), local_features=desc.local_features or None)


class ImageDescriber:
    """A pool of processes describing images; `describe` awaits without blocking the loop."""

    def __init__(self, *, workers: int, max_pixels: int, reduce_to: int) -> None:
        self._workers = workers
        self._max_pixels = max_pixels
        self._reduce_to = reduce_to
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            # Spawned, not forked: the worker process has threads (writer, listener) whose
            # locks a fork could copy in a held state.
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def describe(self, data: bytes) -> DescribedImage:
        """Describe one image in the pool; ImageError propagates for bad images."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor(),
            _describe_job,
            data,
            self._max_pixels,
            self._reduce_to,
        )

    def close(self) -> None:
        """Stop the pool's processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _describe_job(data: bytes, max_pixels: int, reduce_to: int) -> DescribedImage:
    return describe_bytes(data, max_pixels=max_pixels, reduce_to=reduce_to)


__all__ = ["BadImageDataError", "DescribedImage", "ImageDescriber", "ImageError", "decode_base64"]
