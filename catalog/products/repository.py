"""Catalogue queries: rights holders, products, their GTINs, brand aliases, reference images.

Keyword-only functions that flush but never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from catalog.index.engine_records import IMAGE_COLUMNS
from catalog.models import (
    BrandAlias,
    BrandOwner,
    GtinOwner,
    Product,
    ProductGtin,
    ProductVersion,
    ReferenceImage,
    ReferenceImageVersion,
    RightsHolder,
    table_of,
    utcnow,
)
from catalog.products.validation import plausible_id


def get_rights_holder(session: Session, *, rights_holder_id: str) -> RightsHolder | None:
    """A rights holder by id."""
    if not plausible_id(rights_holder_id):
        return None
    return session.get(RightsHolder, rights_holder_id)


def list_rights_holders(session: Session, *, after: str | None, limit: int) -> list[RightsHolder]:
    """Rights holders in creation (id) order, `limit` of them after the id `after`."""
    stmt = select(RightsHolder).order_by(col(RightsHolder.id)).limit(limit)
    if after:
        stmt = stmt.where(col(RightsHolder.id) > after)
    return list(session.exec(stmt).all())


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
    expiring: tuple[date, date] | None = None,
) -> list[Product]:
    """Products in id (creation) order after `after`, matching every filter given.

    `expiring` (first, last day) keeps the registrations whose `valid_until` falls in it.
    """
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
    if expiring is not None:
        stmt = stmt.where(col(Product.valid_until).between(*expiring))
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


def save(session: Session, *, row: Any) -> None:
    """Write a new or changed row."""
    session.add(row)
    session.flush()


def delete_row(session: Session, *, row: Any) -> None:
    """Delete a row."""
    session.delete(row)
    session.flush()


def find_alias(
    session: Session, *, rights_holder_id: str, brand: str, alias: str
) -> BrandAlias | None:
    """The holder's alias `alias` of `brand`, if registered."""
    stmt = select(BrandAlias).where(
        col(BrandAlias.rights_holder_id) == rights_holder_id,
        col(BrandAlias.brand) == brand,
        col(BrandAlias.alias) == alias,
    )
    return session.exec(stmt).first()


def get_alias(session: Session, *, alias_id: str) -> BrandAlias | None:
    """A brand alias by id."""
    return session.get(BrandAlias, alias_id) if plausible_id(alias_id) else None


def list_aliases(session: Session, *, rights_holder_id: str | None) -> list[BrandAlias]:
    """Brand aliases in creation (id) order, of one holder or of all."""
    stmt = select(BrandAlias).order_by(col(BrandAlias.id))
    if rights_holder_id is not None:
        stmt = stmt.where(col(BrandAlias.rights_holder_id) == rights_holder_id)
    return list(session.exec(stmt).all())


def stamp_brand(session: Session, *, rights_holder_id: str, brand_key: str, version: int) -> None:
    """Stamp the holder's products of one brand with a catalogue version (their aliases moved)."""
    session.execute(
        update(Product)
        .where(
            col(Product.rights_holder_id) == rights_holder_id,
            col(Product.brand_key) == brand_key,
        )
        .values(catalog_version=version, updated_at=utcnow())
    )


def image_with_owner(session: Session, *, image_id: str) -> tuple[ReferenceImage, str, str] | None:
    """A reference image (without its local features), the rights holder that owns it and
    its product's status."""
    row = session.exec(
        select(ReferenceImage, Product.rights_holder_id, Product.status)
        .join(Product, col(Product.id) == col(ReferenceImage.product_id))
        .where(col(ReferenceImage.id) == image_id)
        .options(defer(ReferenceImage.local_features))  # type: ignore[arg-type]
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


def product_images(session: Session, *, product_id: str) -> list[tuple[ReferenceImage, bool]]:
    """A product's images in creation (id) order, each with whether it has local features."""
    stmt = (
        select(ReferenceImage, col(ReferenceImage.local_features).is_not(None))
        .where(col(ReferenceImage.product_id) == product_id)
        .order_by(col(ReferenceImage.id))
        .options(defer(ReferenceImage.local_features))  # type: ignore[arg-type]
    )
    return [(image, bool(has)) for image, has in session.exec(stmt).all()]


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


# --- The catalogue as of a version (read by `history` and evidence packets) ---


def product_as_of(conn: Connection, *, product_id: str, version: int) -> dict[str, Any] | None:
    """A product's registered facts as they stood at `version` (None if it did not exist)."""
    stmt = core_select(table_of(Product)).where(col(Product.id) == product_id)
    row = conn.execute(stmt).first()
    if row is not None and row._mapping["catalog_version"] <= version:
        return {k: _json(v) for k, v in row._mapping.items()}
    kept = conn.execute(
        select(col(ProductVersion.snapshot))
        .where(
            col(ProductVersion.product_id) == product_id,
            col(ProductVersion.catalog_version) <= version,
        )
        .order_by(col(ProductVersion.catalog_version).desc())
        .limit(1)
    ).scalar()
    return dict(kept) if kept is not None else None


def images_as_of(conn: Connection, *, product_id: str, version: int) -> list[dict[str, Any]]:
    """A product's reference images (id, kind, sha256) as they stood at `version`."""
    live = conn.execute(
        select(col(ReferenceImage.id), col(ReferenceImage.kind), col(ReferenceImage.sha256)).where(
            col(ReferenceImage.product_id) == product_id,
            col(ReferenceImage.catalog_version) <= version,
        )
    ).all()
    removed = conn.execute(
        select(
            col(ReferenceImageVersion.image_id),
            col(ReferenceImageVersion.kind),
            col(ReferenceImageVersion.sha256),
        ).where(
            col(ReferenceImageVersion.product_id) == product_id,
            col(ReferenceImageVersion.catalog_version) <= version,
            col(ReferenceImageVersion.removed_at_version) > version,
        )
    ).all()
    images = [{"id": i, "kind": k, "sha256": s} for i, k, s in [*live, *removed]]
    return sorted(images, key=lambda d: d["id"])


def changed_after(conn: Connection, *, version: int) -> tuple[list[str], list[str]]:
    """Ids of the products (sorted) and reference images changed after `version`."""
    products = conn.execute(
        select(col(Product.id)).where(col(Product.catalog_version) > version)
    ).scalars()
    images = conn.execute(
        select(col(ReferenceImage.id)).where(col(ReferenceImage.catalog_version) > version)
    ).scalars()
    return sorted(products), list(images)


def image_rows_live_at(
    conn: Connection, *, version: int, product_ids: Sequence[str]
) -> list[Row[Any]]:
    """IMAGE_COLUMNS rows: these products' images live at `version`, and every one removed later."""
    rows: list[Row[Any]] = []
    if product_ids:
        live = core_select(*IMAGE_COLUMNS).where(
            col(ReferenceImage.product_id).in_(product_ids),
            col(ReferenceImage.catalog_version) <= version,
        )
        rows.extend(conn.execute(live))
    removed = core_select(
        col(ReferenceImageVersion.image_id),
        col(ReferenceImageVersion.product_id),
        col(ReferenceImageVersion.kind),
        col(ReferenceImageVersion.hashes),
        col(ReferenceImageVersion.local_features),
    ).where(
        col(ReferenceImageVersion.catalog_version) <= version,
        col(ReferenceImageVersion.removed_at_version) > version,
    )
    rows.extend(conn.execute(removed))
    return rows


def _json(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else value


def brand_owner(session: Session, *, brand_key: str) -> BrandOwner | None:
    """Who owns a brand, by its key."""
    return session.get(BrandOwner, brand_key)


def gtin_owner(session: Session, *, gtin: str) -> GtinOwner | None:
    """Who owns a GTIN, by its 14-digit key."""
    return session.get(GtinOwner, gtin)
