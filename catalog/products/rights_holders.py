"""Rights holders: create and list (admin)."""

from __future__ import annotations

from sqlmodel import Session

from catalog.access import audit
from catalog.core.errors import NotFound
from catalog.models import RightsHolder
from catalog.products import repository


def create_rights_holder(
    session: Session, *, actor: str, name: str, contact_email: str | None = None
) -> RightsHolder:
    """Register a rights holder and audit it."""
    holder = RightsHolder(name=name, contact_email=contact_email)
    repository.save(session, row=holder)
    audit.append_event(
        session,
        actor=actor,
        action="rights_holder.create",
        entity_type="rights_holder",
        entity_id=holder.id,
        change={"name": name, "contact_email": contact_email},
    )
    return holder


def get_rights_holder(session: Session, *, rights_holder_id: str) -> RightsHolder:
    """One rights holder, or NotFound."""
    holder = repository.get_rights_holder(session, rights_holder_id=rights_holder_id)
    if holder is None:
        raise NotFound(f"rights holder {rights_holder_id} does not exist")
    return holder


def list_rights_holders(
    session: Session, *, after: str | None = None, limit: int = 100
) -> list[RightsHolder]:
    """Rights holders in creation order, `limit` of them after the id `after`."""
    return repository.list_rights_holders(session, after=after, limit=limit)
