"""Brand aliases ("LV" for "Louis Vuitton"): add, list, remove; each change audited.

An alias change also stamps the holder's products of that brand with the new
catalogue version, so an index that syncs by version re-reads them with their
new aliases.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.core.errors import Conflict, NotFound, Unprocessable
from catalog.models import BrandAlias, Product, utcnow
from catalog.products.rights_holders import get_rights_holder
from catalog.products.service import owner_scope
from catalog.products.validation import brand_key, plausible_id


def _touch_brand(session: Session, *, rights_holder_id: str, brand: str, version: int) -> None:
    session.execute(
        update(Product)
        .where(
            col(Product.rights_holder_id) == rights_holder_id,
            col(Product.brand_key) == brand_key(brand),
        )
        .values(catalog_version=version, updated_at=utcnow())
    )


def add_alias(
    session: Session, *, principal: Principal, rights_holder_id: str, brand: str, alias: str
) -> BrandAlias:
    """Register `alias` for the holder's `brand`; 409 if it is already there."""
    get_rights_holder(session, rights_holder_id=rights_holder_id)
    if brand_key(alias) == brand_key(brand):
        raise Unprocessable("an alias must differ from the brand itself", slug="invalid-alias")
    version = audit.begin_change(session)
    existing = session.exec(
        select(BrandAlias).where(
            col(BrandAlias.rights_holder_id) == rights_holder_id,
            col(BrandAlias.brand) == brand,
            col(BrandAlias.alias) == alias,
        )
    ).first()
    if existing is not None:
        raise Conflict(f"{alias!r} is already an alias of {brand!r}", slug="alias-exists")
    row = BrandAlias(
        rights_holder_id=rights_holder_id, brand=brand, alias=alias, catalog_version=version
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{alias!r} is already an alias of {brand!r}", slug="alias-exists") from exc
    _touch_brand(session, rights_holder_id=rights_holder_id, brand=brand, version=version)
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
    stmt = select(BrandAlias).order_by(col(BrandAlias.id))
    if scope is not None:
        stmt = stmt.where(col(BrandAlias.rights_holder_id) == scope)
    return list(session.exec(stmt).all())


def remove_alias(session: Session, *, principal: Principal, alias_id: str) -> None:
    """Remove one of the caller's aliases (404 for another holder's)."""
    version = audit.begin_change(session)
    row = session.get(BrandAlias, alias_id) if plausible_id(alias_id) else None
    scope = owner_scope(principal)
    if row is None or (scope is not None and row.rights_holder_id != scope):
        raise NotFound(f"brand alias {alias_id} does not exist")
    _touch_brand(session, rights_holder_id=row.rights_holder_id, brand=row.brand, version=version)
    change = {"rights_holder_id": row.rights_holder_id, "brand": row.brand, "alias": row.alias}
    session.delete(row)
    session.flush()
    audit.append_event(
        session,
        actor=principal.actor,
        action="brand_alias.delete",
        entity_type="brand_alias",
        entity_id=alias_id,
        change=change,
        catalog_version=version,
    )
