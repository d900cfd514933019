"""Check use case: score an officer's photo, text or GTIN as a screening and keep the check.

A check is a screening (same engine, index, versions and stored request, so it
can be rescored and its outcome counts wherever outcomes count) plus what only a
check has: the officer's photo, stripped of its metadata and kept in the blob
store as evidence, the barcode read from it, and a compact answer for a phone.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.checks.photo import CheckPhoto, inspect_photo
from catalog.checks.repository import ProductFacts, add_check, product_facts
from catalog.core.blobs import BlobStore
from catalog.core.errors import Unprocessable
from catalog.core.ids import new_id
from catalog.core.pool import ImageProcessor
from catalog.models import OfficerCheck
from catalog.screening.repository import latest_outcome
from catalog.screening.service import ScreeningService
from matchers.scoring import Thresholds, decide

MAX_CANDIDATES = 3
THUMBNAIL_SIZE = 320
REASONS_PER_CANDIDATE = 3


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
        photo = await processor.run(inspect_photo, given.photo, processor.max_pixels)
        sha256 = await asyncio.to_thread(blobs.put, photo.data)
    # A typed GTIN is the officer's reading; the barcode stands in when none was typed.
    gtin = given.gtin or (photo.barcode.gtin if photo and photo.barcode else None)
    payload: dict[str, Any] = {
        "reference": None,
        "description": text,
        "gtin": gtin,
        "images": [{"data": base64.b64encode(photo.data).decode("ascii")}] if photo else [],
    }
    document = await screening.screen(payload, principal=principal)
    return ScoredCheck(
        check_id=new_id(),
        given=given,
        photo=photo,
        photo_sha256=sha256,
        gtin=gtin,
        screening=document,
        thresholds=screening.holder.scoring.thresholds,
    )


def store_check(session: Session, *, scored: ScoredCheck, principal: Principal) -> dict[str, Any]:
    """Store a scored check (audited) and return its compact document."""
    matches = list(scored.screening["matches"])[:MAX_CANDIDATES]
    facts = product_facts(session, product_ids=[m["product_id"] for m in matches])
    photo = scored.photo
    barcode = photo.barcode if photo else None
    result: dict[str, Any] = {
        "id": scored.check_id,
        "screening_id": scored.screening["id"],
        "risk": scored.screening["risk"],
        "verdict": scored.screening["verdict"],
        "lane": scored.screening["lane"],
        "no_confident_match": not matches,
        "candidates": [
            _candidate(m, facts.get(m["product_id"]), scored.thresholds) for m in matches
        ],
        "barcode": None
        if barcode is None
        else {"symbology": barcode.symbology, "text": barcode.text, "gtin": barcode.gtin},
        "gtin": scored.gtin,
        "photo_url": f"/v1/checks/{scored.check_id}/photo" if photo else None,
        "catalog_version": scored.screening["catalog_version"],
        "engine_version": scored.screening["engine_version"],
        "took_ms": scored.screening["took_ms"],
        "created_at": scored.screening["created_at"],
    }
    check = OfficerCheck(
        id=scored.check_id,
        screening_id=scored.screening["id"],
        api_key_id=principal.key_id,
        text=(scored.given.text or "").strip() or None,
        gtin=scored.gtin,
        barcode=result["barcode"],
        photo_sha256=scored.photo_sha256,
        photo_width=photo.width if photo else None,
        photo_height=photo.height if photo else None,
        result=result,
    )
    add_check(session, check=check)
    audit.append_event(
        session,
        actor=principal.actor,
        action="check.create",
        entity_type="check",
        entity_id=check.id,
        change={
            "screening_id": check.screening_id,
            "photo_sha256": check.photo_sha256,
            "gtin": check.gtin,
            "candidates": [c["product_id"] for c in result["candidates"]],
        },
        catalog_version=result["catalog_version"],
        engine_version=result["engine_version"],
    )
    return check_document(session, check=check)


def check_document(session: Session, *, check: OfficerCheck) -> dict[str, Any]:
    """A stored check's compact document with its latest outcome and ticked checklist."""
    document = dict(check.result)
    document["outcome"] = latest_outcome(session, screening_id=check.screening_id)
    document["checked"] = list(check.checklist or [])
    return document


def _candidate(
    match: dict[str, Any], facts: ProductFacts | None, thresholds: Thresholds
) -> dict[str, Any]:
    _, lane = decide(risk=float(match["risk"]), implicated=True, thresholds=thresholds)
    reasons = [s["detail"] for s in match["signals"] if s["contribution"] > 0]
    return {
        "product_id": match["product_id"],
        "brand": match["brand"],
        "name": match["name"],
        "similarity": match["similarity"],
        "risk": match["risk"],
        "lane": lane,
        "reasons": reasons[:REASONS_PER_CANDIDATE],
        "thumbnails": [
            f"/v1/images/{i}?size={THUMBNAIL_SIZE}"
            for i in (facts.genuine_image_ids if facts else [])
        ],
        "checklist": {
            "authenticity_features": facts.authenticity_features if facts else [],
            "counterfeit_indicators": facts.counterfeit_indicators if facts else [],
        },
        "contact": {
            "rights_holder": facts.holder_name if facts else None,
            "email": facts.holder_contact if facts else None,
        },
    }
