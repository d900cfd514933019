"""Who owns a brand (with its aliases) and a GTIN: the first holder to register it.

Registering a product, alias or import row under a brand or GTIN another holder owns
is refused (409 naming what is taken). An operator assigns or transfers a brand,
with its trademark registration (number and office), audited. The primary keys of
`brand_owner` and `gtin_owner` settle concurrent first claims: one insert wins, the
other request fails on its flush and answers 409.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from catalog.access import audit
from catalog.core.bulk import BulkInsert
from catalog.core.errors import Conflict
from catalog.models import BrandOwner, GtinOwner, utcnow
from catalog.models.base import table_of
from catalog.products import repository
from catalog.products.rights_holders import get_rights_holder
from catalog.products.validation import brand_key

_BRAND_OWNERS = table_of(BrandOwner)
_GTIN_OWNERS = table_of(GtinOwner)
# The columns a batched first claim sets (the trademark fields stay NULL, as before).
_NEW_BRAND_COLUMNS = ("brand_key", "brand", "rights_holder_id", "assigned_at")
_NEW_GTIN_COLUMNS = ("gtin", "rights_holder_id", "claimed_at")


@functools.cache
def _claim_insert(table_name: str, dialect: Dialect) -> BulkInsert:
    # One driver `executemany` of bound tuples per batch (Core's insert() with dicts re-derived
    # the parameters row by row); a unique violation still surfaces as IntegrityError.
    table = _BRAND_OWNERS if table_name == _BRAND_OWNERS.name else _GTIN_OWNERS
    columns = _NEW_BRAND_COLUMNS if table is _BRAND_OWNERS else _NEW_GTIN_COLUMNS
    return BulkInsert(table, dialect, columns)


class Claims:
    """Ownership checks and first claims for one holder, remembered across many rows.

    For an import: `lookup()` reads the owners of a batch's brands and GTINs in a few
    queries, a free one is then claimed in memory, and `flush()` inserts the batch's claims
    in one statement each (under a savepoint: a concurrent first claim by another holder
    fails it, and the import, with 409, as a single row's insert would). Without `lookup()`
    each first claim is inserted (and flushed) at once.
    """

    LOOKUP_CHUNK = 500

    def __init__(self, session: Session, *, rights_holder_id: str) -> None:
        self.session = session
        self.holder = rights_holder_id
        self._brands: dict[str, str] = {}
        self._gtins: dict[str, str] = {}
        self._free_brands: set[str] = set()
        self._free_gtins: set[str] = set()
        self._new_brands: list[dict[str, Any]] = []
        self._new_gtins: list[dict[str, Any]] = []

    def lookup(self, *, brands: Iterable[str], gtin_keys: Iterable[str]) -> None:
        """Read the owners of these brands and GTINs at once (then call `flush()`)."""
        wanted = {brand_key(b) for b in brands if b.strip()}
        self._read_owners(BrandOwner.brand_key, BrandOwner, wanted, self._brands, self._free_brands)
        self._read_owners(GtinOwner.gtin, GtinOwner, set(gtin_keys), self._gtins, self._free_gtins)

    def _read_owners(
        self, key: Any, table: Any, keys: set[str], owners: dict[str, str], free: set[str]
    ) -> None:
        """Owners of `keys` not yet known into `owners`; the unowned ones into `free`."""
        wanted = sorted(keys - owners.keys())
        for start in range(0, len(wanted), self.LOOKUP_CHUNK):
            part = wanted[start : start + self.LOOKUP_CHUNK]
            stmt = select(col(key), col(table.rights_holder_id)).where(col(key).in_(part))
            found = {str(k): str(v) for k, v in self.session.connection().execute(stmt)}
            owners.update(found)
            free.update(k for k in part if k not in found)

    def flush(self) -> None:
        """Insert the claims made since `lookup()` or the last flush, or raise Conflict."""
        if not (self._new_brands or self._new_gtins):
            return
        brands, gtins = self._new_brands, self._new_gtins
        self._new_brands, self._new_gtins = [], []
        try:
            with self.session.begin_nested():
                connection = self.session.connection()
                for table, rows in ((_BRAND_OWNERS, brands), (_GTIN_OWNERS, gtins)):
                    if rows:
                        statement = _claim_insert(table.name, connection.dialect)
                        statement.run(connection, [statement.row(r) for r in rows])
        except IntegrityError as exc:
            raise Conflict(
                "a brand or GTIN of this import was just claimed by another rights holder"
            ) from exc

    def refusal(self, *, brands: Iterable[str], gtin_keys: Iterable[str]) -> str | None:
        """Why the holder may not use these brands and GTINs (None: claimed for it, flushed)."""
        wanted_brands = {brand_key(b): b for b in brands if b.strip()}
        for key, brand in wanted_brands.items():
            if self._brand_owner(key, brand) != self.holder:
                return f"the brand {brand!r} belongs to another rights holder"
        for key in dict.fromkeys(gtin_keys):
            if self._gtin_owner(key) != self.holder:
                return f"the GTIN {key} belongs to another rights holder"
        return None

    def claim(self, *, brands: Iterable[str], gtin_keys: Iterable[str]) -> None:
        """Claim the brands and GTINs, or raise Conflict naming the first one taken."""
        problem = self.refusal(brands=brands, gtin_keys=gtin_keys)
        if problem:
            raise Conflict(problem, slug="owned-by-another-holder")

    def _brand_owner(self, key: str, brand: str) -> str:
        if key in self._free_brands:  # looked up: claimed now, inserted by flush()
            self._free_brands.discard(key)
            self._brands[key] = self.holder
            new = {"brand_key": key, "brand": brand, "rights_holder_id": self.holder}
            self._new_brands.append(new | {"assigned_at": utcnow()})
        if key not in self._brands:
            row = repository.brand_owner(self.session, brand_key=key)
            if row is None:
                row = BrandOwner(brand_key=key, brand=brand, rights_holder_id=self.holder)
                _insert(self.session, row, what=f"the brand {brand!r}")
            self._brands[key] = row.rights_holder_id
        return self._brands[key]

    def _gtin_owner(self, key: str) -> str:
        if key in self._free_gtins:  # looked up: claimed now, inserted by flush()
            self._free_gtins.discard(key)
            self._gtins[key] = self.holder
            claim = {"gtin": key, "rights_holder_id": self.holder, "claimed_at": utcnow()}
            self._new_gtins.append(claim)
        if key not in self._gtins:
            row = repository.gtin_owner(self.session, gtin=key)
            if row is None:
                row = GtinOwner(gtin=key, rights_holder_id=self.holder)
                _insert(self.session, row, what=f"the GTIN {key}")
            self._gtins[key] = row.rights_holder_id
        return self._gtins[key]


def _insert(session: Session, row: BrandOwner | GtinOwner, *, what: str) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise Conflict(f"{what} was just claimed by another rights holder") from exc


def assign_brand(
    session: Session,
    *,
    actor: str,
    brand: str,
    rights_holder_id: str,
    trademark_number: str,
    trademark_office: str,
) -> BrandOwner:
    """Assign or transfer a brand to a holder on the proof of its trademark (audited)."""
    get_rights_holder(session, rights_holder_id=rights_holder_id)
    key = brand_key(brand)
    row = repository.brand_owner(session, brand_key=key)
    previous = row.rights_holder_id if row is not None else None
    if row is None:
        row = BrandOwner(brand_key=key, brand=brand, rights_holder_id=rights_holder_id)
    row.rights_holder_id = rights_holder_id
    row.trademark_number = trademark_number
    row.trademark_office = trademark_office
    row.assigned_at = utcnow()
    session.add(row)
    session.flush()
    audit.append_event(
        session,
        actor=actor,
        action="brand.owner",
        entity_type="brand",
        entity_id=key[:64],
        change={
            "brand": brand,
            "rights_holder_id": rights_holder_id,
            "previous_rights_holder_id": previous,
            "trademark_number": trademark_number,
            "trademark_office": trademark_office,
        },
    )
    return row
