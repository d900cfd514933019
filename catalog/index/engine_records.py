"""Database rows to the engine's records, selecting only the columns the engine needs, in bulk."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Cast, Connection, Row, String, Text, literal, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Mapped
from sqlmodel import col

from catalog.models import BrandAlias, Product, ReferenceImage
from catalog.products.validation import brand_key
from matchers.records import ImageKind, ImageRecord, PriceRange, ProductRecord

IMAGE_COLUMNS = (
    col(ReferenceImage.id),
    col(ReferenceImage.product_id),
    col(ReferenceImage.kind),
    col(ReferenceImage.hashes),
    col(ReferenceImage.local_features),
)

AliasMap = Mapping[tuple[str, str], Sequence[str]]


def load_aliases(conn: Connection, *, rights_holder_ids: Iterable[str] | None = None) -> AliasMap:
    """Every alias, by (rights holder, brand key), sorted for determinism."""
    stmt = select(col(BrandAlias.rights_holder_id), col(BrandAlias.brand), col(BrandAlias.alias))
    if rights_holder_ids is not None:
        stmt = stmt.where(col(BrandAlias.rights_holder_id).in_(sorted(set(rights_holder_ids))))
    out: dict[tuple[str, str], list[str]] = {}
    for holder, brand, alias in conn.execute(stmt):
        out.setdefault((holder, brand_key(brand)), []).append(alias)
    return {k: sorted(set(v)) for k, v in out.items()}


def _record(
    scalars: Sequence[Any], lists: Sequence[Sequence[str] | None], aliases: AliasMap
) -> ProductRecord:
    pid, holder, brand, name, model, description, category, pmin, pmax, cur, valid_until = scalars
    gtins, hs_codes, origins, importers, exporters = lists
    price = None
    if pmin is not None and pmax is not None and cur:
        price = PriceRange(min=float(pmin), max=float(pmax), currency=cur)
    return ProductRecord(
        product_id=pid,
        rights_holder_id=holder,
        brand=brand,
        name=name,
        model=model or None,
        gtins=tuple(gtins or ()),
        description=description or "",
        category=category,
        hs_codes=tuple(hs_codes or ()),
        price=price,
        authorized_origins=tuple(origins or ()),
        authorized_importers=tuple(importers or ()),
        authorized_exporters=tuple(exporters or ()),
        brand_aliases=tuple(aliases.get((holder, brand_key(brand)), ())),
        valid_until=valid_until,
    )


_SCALAR_FIELDS = (
    "id", "rights_holder_id", "brand", "name", "model", "description", "category",
    "price_min", "price_max", "price_currency", "valid_until",
)  # fmt: skip
_LIST_FIELDS = (
    "gtins", "hs_codes", "authorized_origins", "authorized_importers", "authorized_exporters",
)  # fmt: skip


def record_from_facts(facts: Mapping[str, Any], *, aliases: AliasMap) -> ProductRecord:
    """A ProductRecord from a product's column values by name (a kept snapshot, say)."""
    scalars = [facts.get(name) for name in _SCALAR_FIELDS]
    return _record(scalars, [facts.get(name) for name in _LIST_FIELDS], aliases)


def image_record(row: Row[Any] | Sequence[Any]) -> ImageRecord:
    """An ImageRecord from a row of IMAGE_COLUMNS."""
    iid, pid, kind, hashes, features = row
    return ImageRecord(
        image_id=iid,
        product_id=pid,
        kind=cast(ImageKind, kind),
        hashes=dict(hashes or {}),
        local_features=bytes(features) if features else None,
    )


def _as_text(column: Mapped[Any]) -> Cast[str]:
    return sql_cast(column, Text)


# The five JSON lists travel as one JSON text per row: one json.loads instead of five.
_LISTS = (
    literal("[", String)
    + _as_text(col(Product.gtins)) + "," + _as_text(col(Product.hs_codes))
    + "," + _as_text(col(Product.authorized_origins))
    + "," + _as_text(col(Product.authorized_importers))
    + "," + _as_text(col(Product.authorized_exporters)) + "]"
)  # fmt: skip
# The C scanner without json.loads' two whitespace regexes: the text starts with '['.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
BULK_COLUMNS = (
    col(Product.id), col(Product.rights_holder_id), col(Product.brand), col(Product.name),
    col(Product.model), col(Product.description), col(Product.category), col(Product.price_min),
    col(Product.price_max), col(Product.price_currency), _as_text(col(Product.valid_until)),
    col(Product.status), _LISTS.label("lists"),
)  # fmt: skip


def _bulk_record(row: Sequence[Any], aliases: AliasMap) -> ProductRecord:
    (pid, holder, brand, name, model, description, category, pmin, pmax, cur, valid_until,
     _status, lists) = row  # fmt: skip
    day = date.fromisoformat(valid_until[:10]) if valid_until else None
    return _record(
        (pid, holder, brand, name, model, description, category, pmin, pmax, cur, day),
        _SCAN(lists, 0)[0],
        aliases,
    )


def iter_products(
    conn: Connection,
    *,
    since_version: int | None = None,
    until_version: int | None = None,
    chunk: int = 5000,
) -> Iterator[tuple[ProductRecord, bool]]:
    """(record, active) for every product, or those changed in (since, until], by id.

    `until_version` leaves out changes committed after the version the caller read, so
    what is returned is the catalogue exactly as of that version.

    Rows are read as plain text through the driver's cursor (no per-column result
    processing): this is what keeps the start-up load of 100k products fast.
    """
    stmt = select(*BULK_COLUMNS).order_by(col(Product.id))
    if since_version is not None:
        stmt = stmt.where(col(Product.catalog_version) > since_version)
    if until_version is not None:
        stmt = stmt.where(col(Product.catalog_version) <= until_version)
    aliases = load_aliases(conn)
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        while rows := cursor.fetchmany(chunk):
            for row in rows:
                yield _bulk_record(row, aliases), row[11] == "active"
    finally:
        cursor.close()


def iter_images(
    conn: Connection,
    *,
    since_version: int | None = None,
    until_version: int | None = None,
    product_ids: Iterable[str] | None = None,
    chunk: int = 5000,
) -> Iterator[ImageRecord]:
    """Every reference image, those changed in (since, until], or those of some products."""
    stmt = select(*IMAGE_COLUMNS).order_by(col(ReferenceImage.id))
    if since_version is not None:
        stmt = stmt.where(col(ReferenceImage.catalog_version) > since_version)
    if until_version is not None:
        stmt = stmt.where(col(ReferenceImage.catalog_version) <= until_version)
    if product_ids is not None:
        stmt = stmt.where(col(ReferenceImage.product_id).in_(sorted(set(product_ids))))
    result = conn.execution_options(yield_per=chunk).execute(stmt)
    for row in result:
        yield image_record(row)
