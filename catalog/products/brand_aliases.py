"""Brand aliases ("LV" for "Louis Vuitton"): add, list, remove; each change audited.

An alias change also stamps the holder's products of that brand with the new
catalogue version, so an index that syncs by version re-reads them with their
new aliases. A removed alias is kept (catalog/products/history.py) so a screening
is replayed with the aliases in force at its catalogue version.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.core.errors import Conflict, NotFound, Unprocessable
from catalog.models import BrandAlias
from catalog.products import history, repository
from catalog.products.ownership import Claims
from catalog.products.rights_holders import get_rights_holder
from catalog.products.service import owner_scope
from catalog.products.validation import brand_key


def add_alias(
    session: Session, *, principal: Principal, rights_holder_id: str, brand: str, alias: str
) -> BrandAlias:
    """Register `alias` for the holder's `brand`; 409 if it is already there."""
    get_rights_holder(session, rights_holder_id=rights_holder_id)
    if brand_key(alias) == brand_key(brand):
        raise Unprocessable("an alias must differ from the brand itself", slug="invalid-alias")
    version = audit.begin_change(session)
    Claims(session, rights_holder_id=rights_holder_id).claim(brands=[brand, alias], gtin_keys=())
    existing = repository.find_alias(
        session, rights_holder_id=rights_holder_id, brand=brand, alias=alias
    )
    if existing is not None:
        raise Conflict(f"{alias!r} is already an alias of {brand!r}", slug="alias-exists")
    row = BrandAlias(
        rights_holder_id=rights_holder_id, brand=brand, alias=alias, catalog_version=version
    )
    try:
        repository.save(session, row=row)
    except IntegrityError as exc:
        raise Conflict(f"{alias!r} is already an alias of {brand!r}", slug="alias-exists") from exc
    history.keep_brand(
        session, rights_holder_id=rights_holder_id, brand_key=brand_key(brand), replaced_at=version
    )
    repository.stamp_brand(
        session, rights_holder_id=rights_holder_id, brand_key=brand_key(brand), version=version
    )
    audit.append_event(
        session,
        actor=principal.actor,
        action="brand_alias.create",
        entity_type="brand_alias",
        entity_id=row.id,
        change={"rights_holder_id": rights_holder_id, "brand": brand, "alias": alias},
        catalog_version=version,
    )
    return row


def list_aliases(
    session: Session, *, principal: Principal, rights_holder_id: str | None = None
) -> list[BrandAlias]:
    """The caller's aliases (an admin's: all, or one holder's), oldest first."""
    scope = owner_scope(principal) or rights_holder_id
    return repository.list_aliases(session, rights_holder_id=scope)


def remove_alias(session: Session, *, principal: Principal, alias_id: str) -> None:
    """Remove one of the caller's aliases (404 for another holder's)."""
    version = audit.begin_change(session)
    row = repository.get_alias(session, alias_id=alias_id)
    scope = owner_scope(principal)
    if row is None or (scope is not None and row.rights_holder_id != scope):
        raise NotFound(f"brand alias {alias_id} does not exist")
    history.keep_brand(
        session,
        rights_holder_id=row.rights_holder_id,
        brand_key=brand_key(row.brand),
        replaced_at=version,
    )
    repository.stamp_brand(
        session,
        rights_holder_id=row.rights_holder_id,
        brand_key=brand_key(row.brand),
        version=version,
    )
    change = {"rights_holder_id": row.rights_holder_id, "brand": row.brand, "alias": row.alias}
    history.keep_alias(session, alias=row, removed_at=version)
    repository.delete_row(session, row=row)
    audit.append_event(
        session,
        actor=principal.actor,
        action="brand_alias.delete",
        entity_type="brand_alias",
        entity_id=alias_id,
        change=change,
        catalog_version=version,
    )
