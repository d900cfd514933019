"""The stored form of a screening: a minimised request, the declaration rebuilt from it, the result.

Live scoring and `countermark rescore` both build the engine's `Declaration` from
the same stored request, so a rescore sees exactly the input the live call saw.
Consignee names and addresses are replaced on arrival by keyed pseudonyms
(HMAC-SHA-256): equal values still link, but the clear text is never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from matchers.records import Assessment, Declaration, DeclaredImage, Money, Signal

DECLARATION_FIELDS = (
    "description",
    "brand",
    "hs_code",
    "gtin",
    "quantity",
    "origin_country",
    "exporter",
    "importer",
)
HASH_NAMES = ("phash", "dhash", "whash", "colorhash")


def pseudonym(value: str, *, key: bytes) -> str:
    """A keyed, irreversible pseudonym of a personal-data value (whitespace and case folded)."""
    folded = " ".join(value.split()).casefold().encode("utf-8")
    return "hmac-sha256:" + hmac.new(key, folded, hashlib.sha256).hexdigest()[:32]


def stored_image(
    *, hashes: Mapping[str, str], local_features: bytes | None, source: str
) -> dict[str, Any]:
    """The stored form of one declared image: its features, never its pixels."""
    out: dict[str, Any] = {"source": source, "hashes": {k: hashes[k] for k in sorted(hashes)}}
    if local_features:
        out["local_features"] = base64.b64encode(local_features).decode("ascii")
    return out


def hashes_of(image: Mapping[str, Any]) -> dict[str, str]:
    """The hashes a client sent for an image (the request's `phash`, `dhash` ... fields)."""
    return {k: str(image[k]).lower() for k in HASH_NAMES if image.get(k)}


def minimise_request(
    payload: Mapping[str, Any],
    *,
    images: Sequence[Mapping[str, Any]],
    declared_on: date,
    key: bytes,
) -> dict[str, Any]:
    """The request as stored: declaration fields, image features, consignee pseudonyms only."""
    stored: dict[str, Any] = {"reference": payload.get("reference")}
    for name in DECLARATION_FIELDS:
        stored[name] = payload.get(name)
    unit = payload.get("unit_value")
    stored["unit_value"] = (
        {"amount": float(unit["amount"]), "currency": str(unit["currency"])} if unit else None
    )
    stored["declared_on"] = declared_on.isoformat()
    stored["images"] = [dict(i) for i in images]
    consignee = payload.get("consignee") or {}
    stored["consignee"] = {
        f"{part}_pseudonym": pseudonym(str(consignee[part]), key=key)
        for part in ("name", "address")
        if consignee.get(part)
    } or None
    return stored


def declaration_from_stored(stored: Mapping[str, Any]) -> Declaration:
    """The engine's declaration, rebuilt from a stored request."""
    unit = stored.get("unit_value")
    images = tuple(
        DeclaredImage(
            hashes=dict(i.get("hashes") or {}),
            local_features=base64.b64decode(i["local_features"])
            if i.get("local_features")
            else None,
        )
        for i in stored.get("images") or ()
    )
    return Declaration(
        description=str(stored["description"]),
        brand=stored.get("brand"),
        hs_code=stored.get("hs_code"),
        gtin=stored.get("gtin"),
        quantity=stored.get("quantity"),
        unit_value=Money(float(unit["amount"]), str(unit["currency"])) if unit else None,
        origin_country=stored.get("origin_country"),
        exporter=stored.get("exporter"),
        importer=stored.get("importer"),
        images=images,
        declared_on=date.fromisoformat(stored["declared_on"]),
    )


def _signals(signals: Sequence[Signal]) -> list[dict[str, Any]]:
    return [{"name": s.name, "contribution": s.contribution, "detail": s.detail} for s in signals]


def assessment_document(assessment: Assessment) -> dict[str, Any]:
    """The engine's answer as JSON: what a rescore compares (no ids, times or versions)."""
    return {
        "risk": assessment.risk,
        "verdict": assessment.verdict,
        "lane": assessment.lane,
        "matches": [
            {
                "product_id": m.product_id,
                "brand": m.brand,
                "name": m.name,
                "similarity": m.similarity,
                "risk": m.risk,
                "signals": _signals(m.signals),
            }
            for m in assessment.matches
        ],
        "signals": _signals(assessment.signals),
    }


def hit_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """One row per implicated product, for the rights holders' alerts."""
    return [
        {
            "product_id": m.product_id,
            "rights_holder_id": m.rights_holder_id,
            "rank": rank,
            "similarity": m.similarity,
            "risk": m.risk,
        }
        for rank, m in enumerate(assessment.matches)
    ]


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any], *, path: str = "") -> list[str]:
    """Human-readable differences between two result documents, one line each."""
    out: list[str] = []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for k in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in old:
                out.append(f"+ {sub}: {new[k]!r}")
            elif k not in new:
                out.append(f"- {sub}: {old[k]!r}")
            else:
                out.extend(diff_documents(old[k], new[k], path=sub))
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(old):
                out.append(f"+ {sub}: {new[i]!r}")
            elif i >= len(new):
                out.append(f"- {sub}: {old[i]!r}")
            else:
                out.extend(diff_documents(old[i], new[i], path=sub))
    elif old != new:
        out.append(f"~ {path}: {old!r} -> {new!r}")
    return out
