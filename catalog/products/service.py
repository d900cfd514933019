"""Product use cases: register, read, list/search, change, retire; each one audited.

Every change first takes the catalogue lock (`audit.begin_change`), so GTIN checks
and the audit chain see a consistent catalogue; the unique key on
(rights holder, GTIN) still refuses a duplicate should anything slip past.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.core.errors import Conflict, Gone, NotFound
from catalog.models import Product, utcnow
from catalog.products import history, repository
from catalog.products.ownership import Claims
from catalog.products.rights_holders import get_rights_holder
from catalog.products.validation import (
    ProductChanges,
    ProductData,
    brand_key,
    clean_gtin,
    gtin14,
    strip_control,
)


def search_text(product: Product) -> str:
    """The casefolded text that `q` searches: brand, name, model, description, category."""
    return search_text_of(product.model_dump())


def search_text_of(values: dict[str, Any]) -> str:
    """`search_text` from column values."""
    parts = [values.get(k) or "" for k in ("brand", "name", "model", "category", "description")]
    parts.append(" ".join(values.get("gtins") or ()))
    return " ".join(" ".join(parts).split()).casefold()


def product_columns(data: dict[str, Any]) -> dict[str, Any]:
    """Table column values for validated product fields."""
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "price":
            values["price_min"] = value.min if value else None
            values["price_max"] = value.max if value else None
            values["price_currency"] = value.currency if value else None
        elif name == "brand":
            values["brand"] = value
            values["brand_key"] = brand_key(value)
        elif name in ("model", "category"):
            values[name] = value or None
        else:
            values[name] = list(value) if isinstance(value, list) else value
    return values


def owner_scope(principal: Principal) -> str | None:
    """The rights holder a caller is confined to (None for admins)."""
    return None if principal.role == "admin" else principal.rights_holder_id or "-"


def _check_gtins(
    session: Session, *, rights_holder_id: str, gtins: list[str], product_id: str | None
) -> None:
    sent = {gtin14(g): g for g in gtins}
    taken = repository.taken_gtins(session, rights_holder_id=rights_holder_id, gtin_keys=sent)
    clashes = {key: p for key, p in taken.items() if p != product_id}
    if clashes:
        key, other = sorted(clashes.items())[0]
        raise Conflict(
            f"GTIN {sent[key]} is already registered to your product {other}",
            slug="gtin-taken",
        )


def _flush_gtins(session: Session, product: Product) -> None:
    try:
        repository.set_gtins(session, product=product, gtin_keys=[gtin14(g) for g in product.gtins])
    except IntegrityError as exc:
        raise Conflict("a GTIN of this product is already registered", slug="gtin-taken") from exc


def create_product(
    session: Session, *, principal: Principal, rights_holder_id: str, data: ProductData
) -> Product:
    """Register a product for `rights_holder_id`; 409 if the holder has one of its GTINs."""
    get_rights_holder(session, rights_holder_id=rights_holder_id)
    version = audit.begin_change(session)
    _check_gtins(session, rights_holder_id=rights_holder_id, gtins=data.gtins, product_id=None)
    Claims(session, rights_holder_id=rights_holder_id).claim(
        brands=[data.brand], gtin_keys=[gtin14(g) for g in data.gtins]
    )
    values = product_columns(data.model_dump(exclude_unset=False) | {"price": data.price})
    product = Product(rights_holder_id=rights_holder_id, catalog_version=version, **values)
    product.search_text = search_text(product)
    try:
        repository.add_product(
            session, product=product, gtin_keys=[gtin14(g) for g in product.gtins]
        )
    except IntegrityError as exc:
        raise Conflict("a GTIN of this product is already registered", slug="gtin-taken") from exc
    audit.append_event(
        session,
        actor=principal.actor,
        action="product.create",
        entity_type="product",
        entity_id=product.id,
        change={"rights_holder_id": rights_holder_id, **data.model_dump(mode="json")},
        catalog_version=version,
    )
    return product


def read_product(session: Session, *, principal: Principal, product_id: str) -> Product:
    """A product the caller may see; 404 for another holder's."""
    product = repository.get_product(
        session, product_id=product_id, rights_holder_id=owner_scope(principal)
    )
    if product is None:
        raise NotFound(f"product {product_id} does not exist")
    return product


RETIRED_NOTE = (
    "it is still listed by GET /v1/products?status=retired, and the evidence of each "
    "screening that matched it keeps its record and reference images"
)


def read_active_product(session: Session, *, principal: Principal, product_id: str) -> Product:
    """A product the caller may see at its own URL: 404 for another holder's, 410 once
    it is retired (DELETE)."""
    product = read_product(session, principal=principal, product_id=product_id)
    if product.status == "retired":
        raise Gone(f"product {product_id} was retired; {RETIRED_NOTE}", slug="retired")
    return product


def update_product(
    session: Session, *, principal: Principal, product_id: str, changes: ProductChanges
) -> Product:
    """Change the fields sent; 404 for another holder's product, 409 for a GTIN clash."""
    audit.lock_version(session)
    product = read_product(session, principal=principal, product_id=product_id)
    if product.status != "active":
        raise Conflict(f"product {product_id} is retired and cannot be changed", slug="retired")
    sent = changes.changes()
    if not sent:
        return product
    version = audit.begin_change(session)
    Claims(session, rights_holder_id=product.rights_holder_id).claim(
        brands=[sent["brand"]] if sent.get("brand") else [],
        gtin_keys=[gtin14(g) for g in sent.get("gtins") or []],
    )
    history.keep_product(session, product=product, replaced_at=version)
    if "gtins" in sent:
        sent["gtins"] = sent["gtins"] or []
        _check_gtins(
            session,
            rights_holder_id=product.rights_holder_id,
            gtins=sent["gtins"],
            product_id=product.id,
        )
    for name, value in product_columns(sent).items():
        setattr(product, name, value)
    product.search_text = search_text(product)
    product.updated_at = utcnow()
    product.catalog_version = version
    repository.save(session, row=product)
    if "gtins" in sent:
        _flush_gtins(session, product)
    audit.append_event(
        session,
        actor=principal.actor,
        action="product.update",
        entity_type="product",
        entity_id=product.id,
        change=changes.model_dump(mode="json", include=set(sent)),
        catalog_version=version,
    )
    return product


def retire_product(session: Session, *, principal: Principal, product_id: str) -> Product:
    """Retire a product (it stays readable; its GTINs are released); idempotent."""
    audit.lock_version(session)
    product = read_product(session, principal=principal, product_id=product_id)
    if product.status == "retired":
        return product
    version = audit.begin_change(session)
    history.keep_product(session, product=product, replaced_at=version)
    product.status = "retired"
    product.updated_at = utcnow()
    product.catalog_version = version
    repository.save(session, row=product)
    repository.set_gtins(session, product=product, gtin_keys=[])
    audit.append_event(
        session,
        actor=principal.actor,
        action="product.retire",
        entity_type="product",
        entity_id=product.id,
        change={"status": "retired"},
        catalog_version=version,
    )
    return product


def list_products(
    session: Session,
    *,
    principal: Principal,
    rights_holder_id: str | None = None,
    q: str | None = None,
    brand: str | None = None,
    gtin: str | None = None,
    status: str = "active",
    after: str | None = None,
    limit: int = 50,
    expiring_within_days: int | None = None,
) -> list[Product]:
    """The caller's products (an admin's: all, or one holder's) matching the filters."""
    scope = owner_scope(principal)
    if scope is None:
        scope = rights_holder_id
    gkey: str | None = None
    if gtin:
        try:
            gkey = gtin14(clean_gtin(gtin))
        except ValueError:
            return []
    terms = [t for t in strip_control(q or "").casefold().split() if t][:10]
    statuses = ("active", "retired") if status == "all" else (status,)
    return repository.list_products(
        session,
        rights_holder_id=scope,
        terms=terms,
        brand_key=brand_key(strip_control(brand)) if brand else None,
        gtin_key=gkey,
        statuses=statuses,
        after=after,
        limit=limit,
        expiring=_expiry_window(expiring_within_days),
    )


def _expiry_window(days: int | None) -> tuple[date, date] | None:
    if days is None:
        return None
    today = datetime.now(UTC).date()
    return today, today + timedelta(days=days)


def image_counts(session: Session, *, products: list[Product]) -> dict[str, int]:
    """Reference images per product."""
    return repository.image_counts(session, product_ids=[p.id for p in products])
