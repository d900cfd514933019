"""Product queries: keyword-only functions that flush but never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from catalog.models import Product, ProductGtin, ReferenceImage
from catalog.validation import plausible_id


def get_product(
    session: Session, *, product_id: str, rights_holder_id: str | None = None
) -> Product | None:
    """A product by id; with `rights_holder_id`, only if that holder owns it."""
    if not plausible_id(product_id):
        return None
    product = session.get(Product, product_id)
    if product is None:
        return None
    if rights_holder_id is not None and product.rights_holder_id != rights_holder_id:
        return None
    return product


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_products(
    session: Session,
    *,
    rights_holder_id: str | None,
    terms: Sequence[str] = (),
    brand_key: str | None = None,
    gtin_key: str | None = None,
    statuses: Sequence[str] = ("active",),
    after: str | None = None,
    limit: int = 50,
) -> list[Product]:
    """Products in id (creation) order after `after`, matching every filter given."""
    stmt = select(Product).order_by(col(Product.id)).limit(limit)
    if rights_holder_id is not None:
        stmt = stmt.where(col(Product.rights_holder_id) == rights_holder_id)
    if statuses:
        stmt = stmt.where(col(Product.status).in_(list(statuses)))
    if after:
        stmt = stmt.where(col(Product.id) > after)
    if brand_key:
        stmt = stmt.where(col(Product.brand_key) == brand_key)
    if gtin_key:
        # Only live registrations hold GTIN rows: retiring a product releases its GTINs.
        owned = select(ProductGtin.product_id).where(col(ProductGtin.gtin) == gtin_key)
        stmt = stmt.where(col(Product.id).in_(owned))
    for term in terms:
        stmt = stmt.where(col(Product.search_text).like(f"%{_like_escape(term)}%", escape="\\"))
    return list(session.exec(stmt).all())


def image_counts(session: Session, *, product_ids: Iterable[str]) -> dict[str, int]:
    """How many reference images each of these products has."""
    ids = list(product_ids)
    if not ids:
        return {}
    stmt = (
        select(ReferenceImage.product_id, func.count())
        .where(col(ReferenceImage.product_id).in_(ids))
        .group_by(col(ReferenceImage.product_id))
    )
    return {pid: int(n) for pid, n in session.exec(stmt).all()}


def taken_gtins(
    session: Session, *, rights_holder_id: str, gtin_keys: Iterable[str]
) -> dict[str, str]:
    """Which of these GTIN keys the holder already registered: GTIN key -> product id."""
    keys = sorted(set(gtin_keys))
    found: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        stmt = select(ProductGtin.gtin, ProductGtin.product_id).where(
            col(ProductGtin.rights_holder_id) == rights_holder_id, col(ProductGtin.gtin).in_(chunk)
        )
        found.update(dict(session.exec(stmt).all()))
    return found


def all_gtins(session: Session, *, rights_holder_id: str) -> dict[str, str]:
    """Every GTIN key the holder has registered: GTIN key -> product id."""
    stmt = select(ProductGtin.gtin, ProductGtin.product_id).where(
        col(ProductGtin.rights_holder_id) == rights_holder_id
    )
    return dict(session.exec(stmt).all())


def add_product(session: Session, *, product: Product, gtin_keys: Iterable[str]) -> None:
    """Insert a product and its GTIN rows (the unique key refuses a holder's duplicate)."""
    session.add(product)
    session.flush()
    set_gtins(session, product=product, gtin_keys=gtin_keys)


def set_gtins(session: Session, *, product: Product, gtin_keys: Iterable[str]) -> None:
    """Replace the GTIN rows of a product."""
    session.execute(delete(ProductGtin).where(col(ProductGtin.product_id) == product.id))
    rows = [
        {"rights_holder_id": product.rights_holder_id, "gtin": key, "product_id": product.id}
        for key in dict.fromkeys(gtin_keys)
    ]
    if rows:
        session.execute(insert(ProductGtin), rows)
    session.flush()


def bulk_add_products(
    session: Session, *, products: Sequence[dict[str, Any]], gtins: Sequence[dict[str, Any]]
) -> None:
    """Insert many products and GTIN rows in two executemany statements (Core, not ORM)."""
    connection = session.connection()
    if products:
        connection.execute(insert(Product.__table__), list(products))  # type: ignore[attr-defined]
    if gtins:
        connection.execute(insert(ProductGtin.__table__), list(gtins))  # type: ignore[attr-defined]


def save(session: Session, *, row: Any) -> None:
    """Write a changed row."""
    session.add(row)
    session.flush()
