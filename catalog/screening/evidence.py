"""Evidence packets: what a screening decided, on what, and the log proof, in two views.

`rights_holder` view: the declaration without importer, exporter or consignee data,
only the caller's own implicated products (all of them for an admin), their full
registered facts as they stood at the screening's catalogue version, and signal
sentences with the declared parties' names withheld. `declarant` view: the whole
stored declaration and record (so its digest can be recomputed), the products'
public facts only: never a holder's authorised traders, authenticity features or
counterfeit indicators. Declared images are described by their hashes: pixels are
never stored.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from sqlmodel import Session

from catalog.access import decision_log
from catalog.access.keys import Principal
from catalog.core.blobs import BlobStore
from catalog.core.errors import NotFound
from catalog.models import Screening
from catalog.products.repository import images_as_of, product_as_of
from catalog.screening import repository
from catalog.screening.proof import build_proof
from catalog.screening.stored_screenings import load_screening

View = Literal["rights_holder", "declarant"]
CONFIDENTIAL_FACTS = (
    "authorized_importers",
    "authorized_exporters",
    "authenticity_features",
    "counterfeit_indicators",
)
PUBLIC_FACTS = ("id", "brand", "name", "model", "gtins", "category", "hs_codes", "price_min",
                "price_max", "price_currency", "authorized_origins", "valid_until", "status",
                "catalog_version")  # fmt: skip
PARTY_FIELDS = ("importer", "exporter", "consignee")
VERSIONS = ("catalog_version", "engine_version", "weights_version", "settings_version",
            "fx_version")  # fmt: skip
WITHHELD = "[withheld]"


def load_for_evidence(
    session: Session, *, screening_id: str, principal: Principal
) -> tuple[Screening, View]:
    """The screening and the view this caller gets, else 404 (ids never leak)."""
    if principal.role == "rights_holder":
        implicated = bool(_owned(session, screening_id, str(principal.rights_holder_id)))
        screening = session.get(Screening, screening_id) if implicated else None
        if screening is None:
            raise NotFound(f"screening {screening_id} does not exist")
        return screening, "rights_holder"
    return load_screening(session, screening_id=screening_id, principal=principal), "declarant"


def evidence_packet(
    session: Session,
    *,
    screening: Screening,
    view: View,
    principal: Principal,
    key: Ed25519PrivateKey,
    blobs: BlobStore,
    thumb_size: int = 160,
) -> dict[str, Any]:
    """The evidence packet of a stored screening in one view, with its log proof."""
    conn = session.connection()
    holder_only = principal.rights_holder_id if view == "rights_holder" else None
    result = screening.result
    request = dict(screening.request)
    parties = [str(request[p]) for p in ("importer", "exporter") if request.get(p)]
    matches = result.get("matches", [])
    if holder_only is not None:  # never another holder's products
        owned = _owned(session, screening.id, holder_only)
        matches = [m for m in matches if m["product_id"] in owned]
    version = screening.catalog_version
    products = []
    for match in matches:
        facts = product_as_of(conn, product_id=match["product_id"], version=version)
        if facts is not None:
            images = images_as_of(conn, product_id=match["product_id"], version=version)
            references = [_thumbnail(blobs, i, thumb_size) for i in images]
            products.append({"facts": _facts(facts, view), "references": references})
    packet: dict[str, Any] = {
        "view": view,
        "screening": {
            "id": screening.id,
            "reference": screening.reference,
            "created_at": result.get("created_at"),
            "risk": result.get("risk"),
            "verdict": result.get("verdict"),
            "lane": result.get("lane"),
            "took_ms": screening.took_ms,
        },
        "versions": {v: getattr(screening, v) for v in VERSIONS},
        "declaration": _declaration(request, view),
        "products": products,
        "matches": [_match(m, parties, view) for m in matches],
        "signals": [_signal(s, parties, view) for s in result.get("signals", [])],
        "outcomes": _outcomes(session, screening.id, view),
        "proof": build_proof(conn, key=key, kind="screening", record_id=screening.id),
    }
    if view == "declarant":
        entry = decision_log.entry_for(conn, kind="screening", record_id=screening.id)
        packet["record"] = decision_log.packet_record(
            conn,
            kind="screening",
            record_id=screening.id,
            scheme=entry["scheme"] if entry is not None else None,
        )
    return packet


def _owned(session: Session, screening_id: str, holder_id: str) -> set[str]:
    """The products of `holder_id` a screening implicated (from its hits)."""
    return repository.implicated_products(
        session, screening_id=screening_id, rights_holder_id=holder_id
    )


def _facts(facts: Mapping[str, Any], view: View) -> dict[str, Any]:
    if view == "rights_holder":
        return {k: facts.get(k) for k in (*PUBLIC_FACTS, *CONFIDENTIAL_FACTS, "description")}
    return {k: facts.get(k) for k in PUBLIC_FACTS}


def _declaration(request: Mapping[str, Any], view: View) -> dict[str, Any]:
    out = {k: v for k, v in request.items() if k != "images"}
    out["images"] = [
        {"source": i.get("source"), "hashes": i.get("hashes")} for i in request.get("images", [])
    ]
    if view == "rights_holder":
        for name in PARTY_FIELDS:
            if out.get(name):
                out[name] = WITHHELD
    return out


def _redact(text: str, parties: list[str]) -> str:
    for name in parties:
        text = text.replace(name, WITHHELD)
    return text


def _signal(signal: Mapping[str, Any], parties: list[str], view: View) -> dict[str, Any]:
    detail = str(signal.get("detail", ""))
    if view == "rights_holder":
        detail = _redact(detail, parties)
    return {
        "name": signal.get("name"),
        "contribution": signal.get("contribution"),
        "detail": detail,
    }


def _match(match: Mapping[str, Any], parties: list[str], view: View) -> dict[str, Any]:
    return {
        **{k: match.get(k) for k in ("product_id", "brand", "name", "similarity", "risk")},
        "signals": [_signal(s, parties, view) for s in match.get("signals", [])],
    }


def _thumbnail(blobs: BlobStore, image: Mapping[str, Any], size: int) -> dict[str, Any]:
    out = dict(image)
    if not blobs.exists(image["sha256"]):
        return out | {"thumbnail": None}
    with Image.open(io.BytesIO(blobs.get(image["sha256"]))) as im:
        thumb = im.convert("RGB")
        thumb.thumbnail((size, size))
        buf = io.BytesIO()
        thumb.save(buf, format="PNG")
    return out | {"thumbnail": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()}


def _outcomes(session: Session, screening_id: str, view: View) -> list[dict[str, Any]]:
    return [
        {"outcome": outcome, "recorded_at": at.isoformat()}
        | ({"note": note} if view == "declarant" else {})
        for outcome, note, at in (
            (row.outcome, row.note, row.created_at)
            for row in repository.outcome_history(session, screening_id=screening_id)
        )
    ]
