"""Product queries: keyword-only functions that flush but never commit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Insert, Table, Text, bindparam, cast, delete, func, insert
from sqlmodel import Session, col, select

from catalog.models import Product, ProductGtin, ReferenceImage
from catalog.products.validation import plausible_id


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


_PRODUCTS: Table = Product.__table__  # type: ignore[attr-defined]
_JSON_COLUMNS = tuple(c.name for c in _PRODUCTS.columns if isinstance(c.type, JSON))


def _bulk_product_insert(dialect: str) -> Insert:
    # List columns arrive as JSON text made by `_json_text`: SQLAlchemy's JSON type would
    # json.dumps every cell of every row, the largest single cost of a bulk import.
    binds: dict[str, Any] = {}
    for name in _JSON_COLUMNS:
        param = bindparam(f"{name}_json", type_=Text())
        binds[name] = cast(param, _PRODUCTS.c[name].type) if dialect == "postgresql" else param
    return insert(_PRODUCTS).values(binds)


def _json_text(value: list[Any], memo: dict[tuple[Any, ...], str]) -> str:
    # The same text the JSON column type writes (json.dumps), memoised: lists repeat a lot.
    key = tuple(value)
    text = memo.get(key)
    if text is None:
        text = memo[key] = json.dumps(value)
    return text


def bulk_add_products(
    session: Session, *, products: Sequence[dict[str, Any]], gtins: Sequence[dict[str, Any]]
) -> None:
    """Insert many products and GTIN rows in two executemany statements (Core, not ORM)."""
    connection = session.connection()
    if products:
        memo: dict[tuple[Any, ...], str] = {}
        rows = []
        for product in products:
            row = {k: v for k, v in product.items() if k not in _JSON_COLUMNS}
            for name in _JSON_COLUMNS:
                row[f"{name}_json"] = _json_text(product[name], memo)
            rows.append(row)
        connection.execute(_bulk_product_insert(connection.dialect.name), rows)
    if gtins:
        connection.execute(insert(ProductGtin.__table__), list(gtins))  # type: ignore[attr-defined]


def save(session: Session, *, row: Any) -> None:
    """Write a changed row."""
    session.add(row)
    session.flush()


# -- import upserts: the holder's own keys -------------------------------------------------
def holder_key_columns(
    session: Session, *, rights_holder_id: str
) -> list[tuple[str, str, str | None, str]]:
    """(id, brand_key, model, name) of every active product of the holder."""
    stmt = select(Product.id, Product.brand_key, Product.model, Product.name).where(
        col(Product.rights_holder_id) == rights_holder_id, col(Product.status) == "active"
    )
    return [(i, b, m, n) for i, b, m, n in session.exec(stmt).all()]


def products_by_ids(session: Session, *, product_ids: Sequence[str]) -> dict[str, Product]:
    """These products, by id (missing ids are left out)."""
    found: dict[str, Product] = {}
    for start in range(0, len(product_ids), 500):
        chunk = list(product_ids[start : start + 500])
        found.update(
            (p.id, p) for p in session.exec(select(Product).where(col(Product.id).in_(chunk)))
        )
    return found
