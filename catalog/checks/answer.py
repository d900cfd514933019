"""A check's compact answer for a phone, and storing it with the check (audited).

Candidates are the screening's matches (confident: scored, with risk and lane) and
then possible photo matches below screening's bar, each with the genuine reference
thumbnails, the holder's checklist and whom to call.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.checks.repository import ProductFacts, add_check, product_facts
from catalog.checks.service import MAX_CANDIDATES, ScoredCheck
from catalog.models import OfficerCheck
from catalog.screening.stored_screenings import latest_outcome
from matchers.scoring import Thresholds, decide

THUMBNAIL_SIZE = 320
REASONS_PER_CANDIDATE = 3


def store_check(session: Session, *, scored: ScoredCheck, principal: Principal) -> dict[str, Any]:
    """Store a scored check (audited) and return its compact document."""
    matches = list(scored.screening["matches"])[:MAX_CANDIDATES]
    possible = scored.possible[: MAX_CANDIDATES - len(matches)]
    facts = product_facts(session, product_ids=[c["product_id"] for c in [*matches, *possible]])
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
        ]
        + [_possible(p, facts.get(p["product_id"])) for p in possible],
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


def _facts(facts: ProductFacts | None) -> dict[str, Any]:
    return {
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


def _candidate(
    match: dict[str, Any], facts: ProductFacts | None, thresholds: Thresholds
) -> dict[str, Any]:
    _, lane = decide(risk=float(match["risk"]), implicated=True, thresholds=thresholds)
    reasons = [s["detail"] for s in match["signals"] if s["contribution"] > 0]
    return {
        "product_id": match["product_id"],
        "brand": match["brand"],
        "name": match["name"],
        "confident": True,
        "similarity": match["similarity"],
        "risk": match["risk"],
        "lane": lane,
        "reasons": reasons[:REASONS_PER_CANDIDATE],
        **_facts(facts),
    }


def _possible(possible: dict[str, Any], facts: ProductFacts | None) -> dict[str, Any]:
    return {
        "product_id": possible["product_id"],
        "brand": possible["brand"],
        "name": possible["name"],
        "confident": False,
        "similarity": possible["similarity"],
        "risk": None,
        "lane": None,
        "reasons": [possible["evidence"]],
        **_facts(facts),
    }
