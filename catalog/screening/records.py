"""The stored form of a screening: the declared item as received, minimised, and rebuilt.

The API hands the service a typed `DeclaredItem`; the service describes its images
and minimises it into the stored request (JSON). Live scoring and `countermark
rescore` both build the engine's `Declaration` from that same stored request, so a
rescore sees exactly the input the live call saw. Consignee names and addresses are
replaced on arrival by keyed pseudonyms (HMAC-SHA-256): equal values still link, but
the clear text is never stored. Importer and exporter names are replaced the same way
(in the engine's party normalisation, `catalog.access.privacy`) and mapped back to the
authorised name they match when the declaration is rebuilt for scoring.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from catalog.access.privacy import PARTY_ROLES, is_pseudonym, party_pseudonym
from catalog.products.hs_codes import known_hs_code
from matchers.records import Declaration, DeclaredImage, Money

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


@dataclass(frozen=True, slots=True)
class DeclaredImageInput:
    """A declared image as received: base64 `data`, or the hashes a client computed."""

    data: str | None = None
    hashes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeclaredItem:
    """A validated declared item, the screening service's input. Only `description` is set."""

    description: str
    reference: str | None = None
    brand: str | None = None
    hs_code: str | None = None
    gtin: str | None = None
    quantity: int | None = None
    unit_value: Money | None = None
    origin_country: str | None = None
    exporter: str | None = None
    importer: str | None = None
    consignee_name: str | None = None
    consignee_address: str | None = None
    declared_on: date | None = None
    images: tuple[DeclaredImageInput, ...] = ()


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


def minimise_request(
    item: DeclaredItem,
    *,
    images: Sequence[Mapping[str, Any]],
    declared_on: date,
    key: bytes,
) -> dict[str, Any]:
    """The request as stored: declaration fields, image features, pseudonyms of the parties."""
    stored: dict[str, Any] = {"reference": item.reference}
    for name in DECLARATION_FIELDS:
        stored[name] = getattr(item, name)
    for role in PARTY_ROLES:  # personal data: only the keyed pseudonym is kept
        if stored[role]:
            stored[role] = party_pseudonym(stored[role], key=key)
    unit = item.unit_value
    stored["unit_value"] = (
        {"amount": float(unit.amount), "currency": unit.currency} if unit else None
    )
    stored["declared_on"] = declared_on.isoformat()
    stored["images"] = [dict(i) for i in images]
    consignee = {"name": item.consignee_name, "address": item.consignee_address}
    stored["consignee"] = {
        f"{part}_pseudonym": pseudonym(value, key=key) for part, value in consignee.items() if value
    } or None
    return stored


def declaration_from_stored(
    stored: Mapping[str, Any], *, parties: Mapping[str, str] | None = None
) -> Declaration:
    """The engine's declaration, rebuilt from a stored request.

    `parties` maps party pseudonyms to the authorised names of the index being scored
    against (`catalog.access.privacy.PartyNames`); a pseudonym it lacks stays as it is
    (on no list). Requests stored before pseudonymisation hold the names themselves.
    """
    known = parties or {}

    def party(role: str) -> str | None:
        value = stored.get(role)
        if value is None or not is_pseudonym(str(value)):
            return value
        return known.get(str(value), str(value))

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
        exporter=party("exporter"),
        importer=party("importer"),
        images=images,
        declared_on=date.fromisoformat(stored["declared_on"]),
        hs_code_known=known_hs_code(stored["hs_code"]) if stored.get("hs_code") else None,
    )
