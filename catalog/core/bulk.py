"""Plain `executemany` on tuples: a table's INSERT for the DBAPI cursor, values bound once.

SQLAlchemy's Core `insert(table)` with a list of dicts re-derives, for every row,
which parameters it has and runs every column type's bind processor, and its JSON
type serialises with `json.dumps`; at a thousand screenings a second that was most
of the writer's CPU. `BulkInsert` compiles the statement once per table and dialect,
turns each row into a tuple in the caller's thread (the same bind processors
SQLAlchemy would run, so stored values are exactly what an ORM insert stores) and
hands the tuples to the driver's `executemany`.

JSON columns take `JsonText`: the value serialised once, with orjson, for the stored
column and for anything else that needs the bytes (the decision log's digest). What a
JSON column holds is then exactly that text (SQLite stores it as given, PostgreSQL's
`json` type keeps its input text verbatim).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table
from sqlalchemy.engine import Dialect


class JsonText(str):
    """A JSON column's value already serialised: stored as this exact text."""

    __slots__ = ()


def json_text(value: Any) -> JsonText:
    """Serialise a JSON column's value once (orjson: compact, UTF-8, keys in insertion order)."""
    if isinstance(value, JsonText):
        return value
    return JsonText(orjson.dumps(value).decode("utf-8"))


@functools.cache
def json_columns(table: Table) -> tuple[str, ...]:
    """The names of a table's JSON columns (a table's columns are fixed once it is defined)."""
    return tuple(c.name for c in table.columns if isinstance(c.type, JSON))


class BulkInsert:
    """One table's INSERT for the DBAPI cursor, with the column order fixed.

    `columns` defaults to every column that has no autoincrement default (an
    autoincrement id is left to the database, as the ORM insert leaves it) and is not
    `trailing`. `trailing` columns come last in the statement and are not bound by
    `row`: whoever runs it appends their values, already as the driver takes them (the
    writer appends each screening's place in the decision log as it is logged).
    """

    def __init__(
        self,
        table: Table,
        dialect: Dialect,
        columns: Sequence[str] | None = None,
        *,
        trailing: Sequence[str] = (),
    ):
        if columns is None:
            columns = [
                c.name
                for c in table.columns
                if not (c.primary_key and c.autoincrement is True and c.default is None)
                and c.name not in trailing
            ]
        self.table = table
        self.columns = tuple(columns)
        self._json = frozenset(json_columns(table)) & set(self.columns)
        processors: list[Callable[[Any], Any] | None] = []
        for name in self.columns:
            column = table.c[name]
            if name in self._json:
                processors.append(json_text)
            else:
                processors.append(column.type.dialect_impl(dialect).bind_processor(dialect))
        self._bound = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        getter = operator.itemgetter(*self.columns)
        self._get: Callable[[Mapping[str, Any]], Sequence[Any]] = (
            getter if len(self.columns) > 1 else lambda values: (getter(values),)
        )
        self._defaults = {
            c.name: getattr(c.default, "arg", None)
            for c in table.columns
            if c.name in self.columns and c.default is not None and c.default.is_scalar
        }
        pg = dialect.name == "postgresql"
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        marks = [
            f"CAST({mark} AS JSON)" if pg and name in self._json else mark for name in self.columns
        ] + [mark for _ in trailing]
        quote = dialect.identifier_preparer.quote
        names = [*self.columns, *trailing]
        # Names come from the table's definition, quoted by the dialect; values are bound.
        self.sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in names)}) "  # noqa: S608
            f"VALUES ({', '.join(marks)})"
        )

    def row(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """A row's values in column order, bound as the column types bind them."""
        try:
            out = list(self._get(values))
        except KeyError:  # a column left to its default
            out = [values[n] if n in values else self._defaults.get(n) for n in self.columns]
        for i, process in self._bound:
            value = out[i]
            if value is not None:
                out[i] = process(value)
        return tuple(out)

    def run(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert bound rows with one `executemany` in the connection's transaction."""
        if rows:
            conn.exec_driver_sql(self.sql, list(rows))
