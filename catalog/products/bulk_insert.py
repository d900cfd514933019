"""Bulk product inserts for the catalogue import: one driver `executemany` per table, never a
commit.

Rows go to the driver as tuples (`catalog.core.bulk.BulkInsert`: the statement compiled once
per dialect, each value bound by its column type's own bind processor), not through Core's
`insert(table)` with dicts, which re-derived the parameters and ran every processor for
every row: about a third of an import's CPU. On PostgreSQL the bound rows go through COPY
(one stream per batch, not a statement per row). Stored values are unchanged: list columns
hold the text the JSON column type writes (`json.dumps`, memoised: lists repeat a lot).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlmodel import Session

from catalog.core.bulk import BulkInsert, JsonText, json_columns
from catalog.models import Product, ProductGtin, table_of

_PRODUCTS = table_of(Product)
_GTINS = table_of(ProductGtin)
_JSON_COLUMNS = json_columns(_PRODUCTS)
# Columns with a default SQLAlchemy would fill in: a row must name them (the import does).
_DEFAULTED = {
    t.name: frozenset(c.name for c in t.columns if c.default is not None)
    for t in (_PRODUCTS, _GTINS)
}


@functools.cache
def _statement(table_name: str, dialect: Dialect, columns: tuple[str, ...]) -> BulkInsert:
    table = _PRODUCTS if table_name == _PRODUCTS.name else _GTINS
    return BulkInsert(table, dialect, columns)


def _json_text(value: list[Any], memo: dict[tuple[Any, ...], JsonText]) -> JsonText:
    # The same text the JSON column type writes (json.dumps), memoised.
    key = tuple(value)
    text = memo.get(key)
    if text is None:
        text = memo[key] = JsonText(json.dumps(value))
    return text


def bulk_add_products(
    session: Session, *, products: Sequence[dict[str, Any]], gtins: Sequence[dict[str, Any]]
) -> None:
    """Insert many products and GTIN rows: per table and set of columns, one `executemany`
    (COPY on PostgreSQL)."""
    connection = session.connection()
    dialect = connection.dialect
    memo: dict[tuple[Any, ...], JsonText] = {}
    for table, rows in ((_PRODUCTS, products), (_GTINS, gtins)):
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for values in rows:
            columns = tuple(values)
            missing = _DEFAULTED[table.name].difference(columns)
            if missing:
                raise ValueError(f"a bulk {table.name} row lacks {', '.join(sorted(missing))}")
            insert = _statement(table.name, dialect, columns)
            if table is _PRODUCTS:
                values = {
                    k: _json_text(v, memo) if k in _JSON_COLUMNS else v for k, v in values.items()
                }
            groups.setdefault(columns, []).append(insert.row(values))
        for columns, bound in groups.items():
            if dialect.name == "postgresql":
                _copy(connection, table.name, columns, bound)
            else:
                _statement(table.name, dialect, columns).run(connection, bound)


def _copy(
    connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: the bound rows through COPY, in the connection's transaction (a round trip
    per batch instead of per row; psycopg adapts each value as it binds it)."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    cursor = connection.connection.cursor()
    try:
        # Names come from the table's definition, quoted by the dialect; values are streamed.
        with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()
