"""Bulk product inserts for the catalogue import: Core executemany, never a commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Insert, Text, bindparam, cast, insert
from sqlmodel import Session

from catalog.models import Product, ProductGtin, table_of

_PRODUCTS = table_of(Product)
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
        connection.execute(insert(table_of(ProductGtin)), list(gtins))
