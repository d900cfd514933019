"""Fakes that teach: officers' photos of confirmed fakes, offered to the product's rights holder.

Accepting one adds the photo to the product as a `counterfeit` reference image
through the same path as an upload (decoded, described, indexed); rejecting it
keeps the decision. Both are audited; a holder only ever sees its own products'.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.core.blobs import BlobStore
from catalog.core.errors import Conflict, NotFound
from catalog.models import OfficerCheck, Product, ProposedReference
from catalog.products.images import PreparedImage, add_image
from catalog.products.validation import plausible_id

STATUSES = ("proposed", "accepted", "rejected")


def propose(
    session: Session, *, check: OfficerCheck, product_id: str, principal: Principal
) -> ProposedReference | None:
    """Offer a check's photo as a counterfeit reference of a product (once per pair)."""
    product = session.get(Product, product_id)
    if product is None or check.photo_sha256 is None:
        return None
    existing = session.exec(
        select(ProposedReference).where(
            col(ProposedReference.check_id) == check.id,
            col(ProposedReference.product_id) == product_id,
        )
    ).first()
    if existing is not None:
        return existing
    proposal = ProposedReference(
        check_id=check.id,
        product_id=product_id,
        rights_holder_id=product.rights_holder_id,
        photo_sha256=check.photo_sha256,
    )
    session.add(proposal)
    session.flush()
    audit.append_event(
        session,
        actor=principal.actor,
        action="proposed_reference.create",
        entity_type="proposed_reference",
        entity_id=proposal.id,
        change={"check_id": check.id, "product_id": product_id, "sha256": check.photo_sha256},
    )
    return proposal


def list_proposals(
    session: Session, *, principal: Principal, status: str | None, after: str | None, limit: int
) -> list[tuple[ProposedReference, Product]]:
    """Proposals on the caller's products (an admin: all), oldest first, after a cursor id."""
    stmt = select(ProposedReference, Product).join(
        Product, col(Product.id) == col(ProposedReference.product_id)
    )
    if principal.role != "admin":
        stmt = stmt.where(col(ProposedReference.rights_holder_id) == principal.rights_holder_id)
    if status is not None:
        stmt = stmt.where(col(ProposedReference.status) == status)
    if after is not None:
        stmt = stmt.where(col(ProposedReference.id) > after)
    stmt = stmt.order_by(col(ProposedReference.id)).limit(limit)
    return [(p, product) for p, product in session.exec(stmt).all()]


def load_proposal(
    session: Session, *, principal: Principal, proposal_id: str
) -> tuple[ProposedReference, Product]:
    """A proposal on one of the caller's products (an admin: any), else 404."""
    proposal = session.get(ProposedReference, proposal_id) if plausible_id(proposal_id) else None
    if proposal is None or (
        principal.role != "admin" and proposal.rights_holder_id != principal.rights_holder_id
    ):
        raise NotFound(f"proposed reference {proposal_id[:64]} does not exist")
    product = session.get(Product, proposal.product_id)
    assert product is not None  # a foreign key
    return proposal, product


def _open(session: Session, *, principal: Principal, proposal_id: str) -> ProposedReference:
    proposal, _ = load_proposal(session, principal=principal, proposal_id=proposal_id)
    if proposal.status != "proposed":
        raise Conflict(
            f"proposed reference {proposal_id} is already {proposal.status}", slug="decided"
        )
    return proposal


def accept(
    session: Session,
    *,
    principal: Principal,
    proposal_id: str,
    prepared: PreparedImage,
    blobs: BlobStore,
) -> tuple[ProposedReference, Product]:
    """Make the photo a counterfeit reference of the product (indexed like an upload)."""
    proposal = _open(session, principal=principal, proposal_id=proposal_id)
    image = add_image(
        session,
        principal=principal,
        product_id=proposal.product_id,
        kind="counterfeit",
        prepared=prepared,
        blobs=blobs,
    )
    return _decide(
        session, proposal, principal=principal, status="accepted", image_id=image.id, verb="accept"
    )


def reject(
    session: Session, *, principal: Principal, proposal_id: str
) -> tuple[ProposedReference, Product]:
    """Decline the photo (it stays with the check as evidence)."""
    proposal = _open(session, principal=principal, proposal_id=proposal_id)
    return _decide(
        session, proposal, principal=principal, status="rejected", image_id=None, verb="reject"
    )


def _decide(
    session: Session,
    proposal: ProposedReference,
    *,
    principal: Principal,
    status: str,
    image_id: str | None,
    verb: str,
) -> tuple[ProposedReference, Product]:
    proposal.status = status
    proposal.reference_image_id = image_id
    proposal.decided_by = principal.actor
    proposal.decided_at = datetime.now(UTC)
    session.add(proposal)
    session.flush()
    change: dict[str, Any] = {"product_id": proposal.product_id, "reference_image_id": image_id}
    audit.append_event(
        session,
        actor=principal.actor,
        action=f"proposed_reference.{verb}",
        entity_type="proposed_reference",
        entity_id=proposal.id,
        change=change,
    )
    product = session.get(Product, proposal.product_id)
    assert product is not None
    return proposal, product
