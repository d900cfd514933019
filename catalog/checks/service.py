"""Check use case: score an officer's photo, text or GTIN as a screening and keep the check.

A check is a screening (same engine, index, versions and stored request, so it
can be rescored and its outcome counts wherever outcomes count) plus what only a
check has: the officer's photo, stripped of its metadata and kept in the blob
store as evidence, the barcode read from it, and a compact answer for a phone.
"""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from catalog.access.keys import Principal
from catalog.checks.photo import CheckPhoto, inspect_photo, tilted_views
from catalog.core.blobs import BlobStore
from catalog.core.errors import IndexNotReady, Unprocessable
from catalog.core.ids import new_id
from catalog.core.pool import ImageProcessor
from catalog.screening.records import DeclaredItem, minimise_request, stored_image
from catalog.screening.service import WRITE_ORDER, Rows, ScreeningService
from matchers.engine import MatchIndex
from matchers.features.base import product_label
from matchers.features.images import KIND_WORDS
from matchers.records import ProductRecord
from matchers.scoring import Thresholds

MAX_CANDIDATES = 3
# A photo-only candidate below screening's bar is shown as "possible" whenever the photo
# index verified it geometrically (at least MIN_INLIERS local features agree on one
# homography): the officer compares it with the reference side by side. On the tuning
# (even-index) grocery_store photos a 0.25 floor cut top-1 from 80.6% to 72.6%.
POSSIBLE_PHOTO_CONFIDENCE = 0.0
PHOTO_IDENTITY = 0.9  # as matchers.features.images.photo_match credits a photo


@dataclass(frozen=True, slots=True)
class CheckInput:
    """What an officer sent: a photo's bytes, label text, a typed GTIN (any may be missing)."""

    photo: bytes | None
    text: str | None
    gtin: str | None


@dataclass(frozen=True, slots=True)
class ScoredCheck:
    """A scored check before it is stored: the screening document and the kept photo."""

    check_id: str
    given: CheckInput
    photo: CheckPhoto | None
    photo_sha256: str | None
    gtin: str | None
    screening: dict[str, Any]
    possible: list[dict[str, Any]]
    thresholds: Thresholds


async def score_check(
    given: CheckInput,
    *,
    principal: Principal,
    processor: ImageProcessor,
    screening: ScreeningService,
    blobs: BlobStore,
) -> ScoredCheck:
    """Read the photo (off the loop), keep it stripped, and screen what was sent."""
    text = (given.text or "").strip()
    if not (given.photo or text or given.gtin):
        raise Unprocessable("send a photo, the label text or a GTIN", slug="empty-check")
    photo = None
    sha256 = None
    if given.photo:
        # One pool job decodes the photo once: stripped copy, barcode and features together.
        photo = await processor.run(
            inspect_photo, given.photo, processor.max_pixels, processor.reduce_to
        )
        sha256 = await asyncio.to_thread(blobs.put, photo.data)
    # A typed GTIN is the officer's reading; the barcode stands in when none was typed.
    gtin = given.gtin or (photo.barcode.gtin if photo and photo.barcode else None)
    item = DeclaredItem(description=text, gtin=gtin)
    started = time.perf_counter()
    holder = screening.holder
    if not holder.ready:
        raise IndexNotReady("this worker is still loading the catalogue index; retry shortly")
    await holder.ensure_current()
    stored = minimise_request(
        item,
        images=[_stored_photo(photo)] if photo else [],
        declared_on=item.declared_on or datetime.now(UTC).date(),
        key=screening.pseudonym_key,
    )
    rows: Rows = {table: [] for table in WRITE_ORDER}
    record = screening.score(stored, principal=principal, started=started, rows=rows)
    document = record.document
    index = holder.index
    possible = _possible_photo_matches(stored, index, document["matches"])
    if photo is not None and not document["matches"] and not possible:
        # Nothing verified on the photo as taken: try it at a few simulated tilts (an
        # edge-on or slanted pack), in order, until one view verifies a reference.
        views = await processor.run(
            tilted_views, photo.data, processor.max_pixels, processor.reduce_to
        )
        for direction, view in views:
            possible = _possible_in_view(view, index, document["matches"], direction)
            if possible:
                break
    await screening.writer.write(rows)
    return ScoredCheck(
        check_id=new_id(),
        given=given,
        photo=photo,
        photo_sha256=sha256,
        gtin=gtin,
        screening=document,
        possible=possible,
        thresholds=holder.scoring.thresholds,
    )


def _stored_photo(photo: CheckPhoto) -> dict[str, Any]:
    """The photo's stored form, as a screening stores a declared image sent as data."""
    described = photo.described
    assert described is not None  # inspect_photo was given reduce_to
    return stored_image(
        hashes=described.hashes, local_features=described.local_features, source="data"
    )


def _possible_photo_matches(
    stored: dict[str, Any], index: MatchIndex, matches: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Products the photo may show below the screening's bar (genuine references only).

    An officer compares each with its reference side by side, so a lower floor than
    automatic screening's serves them (chosen on held-out photos, see bench/checks_photo.py).
    """
    images = stored.get("images") or []
    if not images or not images[0].get("local_features"):
        return []
    return _possible_in_view(base64.b64decode(images[0]["local_features"]), index, matches)


def _possible_in_view(
    features: bytes,
    index: MatchIndex,
    matches: list[dict[str, Any]],
    direction: float | None = None,
) -> list[dict[str, Any]]:
    """Possible matches of one view of the photo (`direction`: of its simulated tilt, if any)."""
    shown = {m["product_id"] for m in matches}
    hits = index.photos.search(
        features, limit=MAX_CANDIDATES + len(shown), min_confidence=POSSIBLE_PHOTO_CONFIDENCE
    )
    possible: list[dict[str, Any]] = []
    for hit in hits:
        ref = index.images.get(hit.image_id)
        product = index.products.get(ref.product_id) if ref is not None else None
        if ref is None or product is None or ref.kind == "counterfeit":
            continue
        if product.product_id in shown:
            continue
        shown.add(product.product_id)
        possible.append(
            {
                "product_id": product.product_id,
                "brand": product.brand,
                "name": product.name,
                "similarity": round(PHOTO_IDENTITY * hit.score, 4),
                "evidence": _possible_reason(ref.kind, product, tilted=direction is not None),
            }
        )
    return possible


def _possible_reason(kind: str, product: ProductRecord, *, tilted: bool) -> str:
    """What an officer reads about a possible photo match (the local-feature counts and colour
    distance behind it are an expert's detail, not a sentence)."""
    photo = "the photo, straightened as if the pack were seen face-on," if tilted else "the photo"
    return (
        f"{photo} looks like the brand's registered {KIND_WORDS[kind]} of "
        f"{product_label(product.brand, product.name)}, but not closely enough to be sure: "
        "compare them"
    )
