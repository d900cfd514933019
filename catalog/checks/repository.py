"""Stored checks and the catalogue facts a check shows an officer (flush, never commit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from catalog.access.keys import Principal
from catalog.core.errors import NotFound
from catalog.models import OfficerCheck, Product, ReferenceImage, RightsHolder
from catalog.products.validation import plausible_id
from catalog.screening.stored_screenings import load_screening

THUMBNAILS_PER_PRODUCT = 3


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What an officer needs about a candidate: what genuine items show, whom to call."""

    authenticity_features: list[str]
    counterfeit_indicators: list[str]
    holder_name: str
    holder_contact: str | None
    genuine_image_ids: list[str]


def product_facts(session: Session, *, product_ids: Sequence[str]) -> dict[str, ProductFacts]:
    """Checklist, holder contact and genuine reference images of each product, by id."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(
            col(Product.id),
            col(Product.authenticity_features),
            col(Product.counterfeit_indicators),
            col(RightsHolder.name),
            col(RightsHolder.contact_email),
        )
        .join(RightsHolder, col(RightsHolder.id) == col(Product.rights_holder_id))
        .where(col(Product.id).in_(list(product_ids)))
    ).all()
    images: dict[str, list[str]] = {}
    for pid, image_id in session.execute(
        select(col(ReferenceImage.product_id), col(ReferenceImage.id))
        .where(
            col(ReferenceImage.product_id).in_(list(product_ids)),
            col(ReferenceImage.kind) == "genuine",
        )
        .order_by(col(ReferenceImage.product_id), col(ReferenceImage.id))
    ).all():
        images.setdefault(pid, []).append(image_id)
    return {
        pid: ProductFacts(
            authenticity_features=list(features or []),
            counterfeit_indicators=list(indicators or []),
            holder_name=name,
            holder_contact=contact,
            genuine_image_ids=images.get(pid, [])[:THUMBNAILS_PER_PRODUCT],
        )
        for pid, features, indicators, name, contact in rows
    }


def add_check(session: Session, *, check: OfficerCheck) -> OfficerCheck:
    """Insert a check (its screening is already stored)."""
    session.add(check)
    session.flush()
    return check


def load_check(session: Session, *, check_id: str, principal: Principal) -> OfficerCheck:
    """A check its client (or a rotated twin key, or an admin) may see, else 404.

    The rules are those of its screening: whoever may read the screening may read the check.
    """
    check = session.get(OfficerCheck, check_id) if plausible_id(check_id) else None
    if check is None:
        raise NotFound(f"check {check_id[:64]} does not exist")
    try:
        load_screening(session, screening_id=check.screening_id, principal=principal)
    except NotFound:
        raise NotFound(f"check {check_id} does not exist") from None
    return check
