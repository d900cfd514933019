"""Bulk catalogue import from CSV or NDJSON: parse, validate row by row, create or update.

Fields are the API's, plus `sku` / `external_id` (the holder's own key, see `holder_keys`).
CSV has one column per field; list fields hold values
separated by `|`, and the price is three columns `price_min`, `price_max`,
`price_currency`. Good rows are stored, bad rows are reported with their line
number and reason. A whole import is one transaction, at most one catalogue-version
bump and one audit event (plus one per updated product); a re-import changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import Session

from catalog.access import audit
from catalog.core.errors import Unprocessable
from catalog.core.ids import new_id
from catalog.models import utcnow
from catalog.products.bulk_insert import bulk_add_products
from catalog.products.holder_keys import SKU_COLUMNS, HolderKeys, sku_into_model
from catalog.products.ownership import Claims
from catalog.products.rights_holders import get_rights_holder
from catalog.products.service import product_columns, search_text_of
from catalog.products.upsert import update_matched
from catalog.products.validation import ProductData, gtin14

Format = Literal["csv", "ndjson"]
LIST_FIELDS = frozenset(
    {
        "gtins",
        "hs_codes",
        "authorized_origins",
        "authorized_importers",
        "authorized_exporters",
        "authenticity_features",
        "counterfeit_indicators",
    }
)
PRICE_COLUMNS = ("price_min", "price_max", "price_currency")
CSV_COLUMNS = frozenset(set(ProductData.model_fields) - {"price"}) | {*PRICE_COLUMNS, *SKU_COLUMNS}
# A progress bar redraws a few times a second; a callback per row cost more than the row.
PROGRESS_EVERY = 100
PREFETCH_ROWS = 1000  # rows whose brand and GTIN owners are read together
Row = tuple[int, dict[str, Any] | str]  # (line, fields) or (line, why it cannot be read)


def sniff_format(data: bytes, *, filename: str = "") -> Format:
    """CSV or NDJSON, by file extension, else by the first non-blank character."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".ndjson", ".jsonl", ".json")):
        return "ndjson"
    return "ndjson" if data.lstrip()[:1] == b"{" else "csv"


def parse_rows(data: bytes, *, fmt: Format) -> list[Row]:
    """Every row of a file with its line number; a header error is a 422."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable("the file is not UTF-8 text", slug="bad-import-file") from exc
    return list(_csv_rows(text) if fmt == "csv" else _ndjson_rows(text))


def _ndjson_rows(text: str) -> Iterator[Row]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON: {exc.msg}"
            continue
        except RecursionError:
            # The decoder recurses per nesting level; a hostile line must cost only itself.
            yield number, "the JSON is nested too deeply"
            continue
        yield number, value if isinstance(value, dict) else "a line must be a JSON object"


def _csv_rows(text: str) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = sorted(set(header) - CSV_COLUMNS)
    if not header or unknown:
        detail = f"unknown columns: {', '.join(unknown)}" if unknown else "no header row"
        raise Unprocessable(f"CSV {detail}; columns are {', '.join(sorted(CSV_COLUMNS))}")
    reader.fieldnames = header
    start = 2
    try:
        for raw in reader:
            yield start, _csv_fields(raw)
            start = reader.line_num + 1
    except csv.Error as exc:
        # The reader cannot resume after a structural error (e.g. a cell over the
        # csv module's field limit), so the file as a whole is refused.
        raise Unprocessable(f"CSV line {start}: {exc}", slug="bad-import-file") from exc


def _csv_fields(raw: dict[str | Any, Any]) -> dict[str, Any] | str:
    if None in raw:
        return "the row has more cells than the header"
    fields: dict[str, Any] = {}
    for name, value in raw.items():
        cell = (value or "").strip()
        if not cell or name in PRICE_COLUMNS:
            continue
        fields[name] = (
            [v.strip() for v in cell.split("|") if v.strip()] if name in LIST_FIELDS else cell
        )
    price = {k: (raw.get(k) or "").strip() for k in PRICE_COLUMNS}
    if any(price.values()):
        fields["price"] = {"min": price["price_min"] or None, "max": price["price_max"] or None}
        fields["price"]["currency"] = price["price_currency"] or None
    return fields


def describe_errors(exc: ValidationError) -> str:
    """A one-line reason from a pydantic error."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "row"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


@dataclass
class ImportResult:
    """What an import created, updated, left unchanged and refused."""

    total: int = 0
    product_ids: list[str] = field(default_factory=list)  # created or updated, in file order
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    catalog_version: int | None = None


@dataclass
class _Pending:
    """Rows waiting for their bulk insert."""

    products: list[dict[str, Any]] = field(default_factory=list)
    gtins: list[dict[str, Any]] = field(default_factory=list)


def import_rows(
    session: Session,
    *,
    actor: str,
    rights_holder_id: str,
    rows: Sequence[Row],
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Create or update the holder's products by its own key (one version); report the rest.

    A row naming a registered product (see `holder_keys`) updates it, or leaves it alone
    when nothing differs; a re-import of the same file changes nothing and bumps no version.
    `progress` is called with the rows done so far every `PROGRESS_EVERY` rows and at the end.
    """
    get_rights_holder(session, rights_holder_id=rights_holder_id)
    version = audit.lock_version(session) + 1
    keys = HolderKeys.load(session, rights_holder_id=rights_holder_id)
    claims = Claims(session, rights_holder_id=rights_holder_id, deferred=True)
    result = ImportResult(total=len(rows))
    digest = hashlib.sha256()
    pending = _Pending()
    matched: list[tuple[int, str, ProductData]] = []
    created_ids: dict[int, str] = {}
    now = utcnow()
    # The only date-like columns: the two stamps (the same for every row) and valid_until.
    stamps = {"created_at": now.isoformat(), "updated_at": now.isoformat()}
    for done, (line, problem, data, target) in enumerate(_validated(rows, keys, claims), 1):
        if data is not None and not problem:
            problem = (
                claims.refusal(brands=[data.brand], gtin_keys=[gtin14(g) for g in data.gtins]) or ""
            )
        if problem or data is None:
            result.errors.append((line, problem))
        elif target is not None:
            matched.append((line, target, data))
        else:
            values = product_columns(data.model_dump() | {"price": data.price})
            values |= {"id": new_id(), "rights_holder_id": rights_holder_id}
            values |= {"catalog_version": version, "created_at": now, "updated_at": now}
            values["search_text"] = search_text_of(values)
            values["status"] = "active"
            pending.products.append(values)
            pending.gtins.extend(
                {"rights_holder_id": rights_holder_id, "gtin": k, "product_id": values["id"]}
                for k in dict.fromkeys(gtin14(g) for g in values["gtins"])
            )
            created_ids[line] = values["id"]
            safe = values | stamps
            if values.get("valid_until") is not None:
                safe["valid_until"] = values["valid_until"].isoformat()
            digest.update(audit.canonical_json(safe).encode())
        if len(pending.products) >= batch_size or done == len(rows):
            claims.flush()
            bulk_add_products(session, products=pending.products, gtins=pending.gtins)
            pending = _Pending()
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            progress(done)
    updated_ids = update_matched(session, actor=actor, matched=matched, version=version)
    result.created, result.updated = len(created_ids), len(updated_ids)
    result.unchanged = len(matched) - len(updated_ids)
    stored = created_ids | updated_ids
    result.product_ids = [stored[line] for line in sorted(stored)]
    result.errors.sort()
    if stored:
        result.catalog_version = audit.begin_change(session)
        audit.append_event(
            session,
            actor=actor,
            action="product.import",
            entity_type="rights_holder",
            entity_id=rights_holder_id,
            change={
                "imported": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "failed": len(result.errors),
                "first_product_id": result.product_ids[0],
                "last_product_id": result.product_ids[-1],
                "products_sha256": digest.hexdigest(),
            },
            catalog_version=result.catalog_version,
        )
    return result


def _validated(
    rows: Sequence[Row], keys: HolderKeys, claims: Claims, *, chunk: int = PREFETCH_ROWS
) -> Iterator[tuple[int, str, ProductData | None, str | None]]:
    """Each row validated (see `_claim`), a chunk at a time: the owners of a chunk's brands
    and GTINs are read in a few queries before its rows are checked one by one."""
    for start in range(0, len(rows), chunk):
        claimed = [
            (line, *_claim(fields, keys=keys, line=line))
            for line, fields in rows[start : start + chunk]
        ]
        valid = [data for _, problem, data, _ in claimed if data is not None and not problem]
        claims.prefetch(
            brands=[data.brand for data in valid],
            gtin_keys=[gtin14(g) for data in valid for g in data.gtins],
        )
        yield from claimed


def _claim(
    fields: dict[str, Any] | str, *, keys: HolderKeys, line: int
) -> tuple[str, ProductData | None, str | None]:
    """(problem, the validated row, id of the registered product it names or None if new)."""
    if isinstance(fields, str):
        return fields, None, None
    fields = dict(fields)
    problem, by_sku = sku_into_model(fields)
    if problem:
        return problem, None, None
    try:
        data = ProductData.model_validate(fields)
    except ValidationError as exc:
        return describe_errors(exc), None, None
    problem, target = keys.claim(data, by_sku=by_sku, line=line)
    return problem, (None if problem else data), target
