"""Bulk catalogue import over HTTP: CSV or NDJSON body, per-row report."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import ActingHolder, RightsHolderOrAdmin, SessionDep, SettingsDep
from api.errors import problem_responses
from api.schemas.products import ImportReport, ImportRowError
from catalog.core.errors import UnsupportedMediaType
from catalog.products.importing import Format, import_rows, parse_rows

router = APIRouter(prefix="/v1/products", tags=["products"])

MEDIA_TYPES: dict[str, Format] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/x-jsonlines": "ndjson",
}
BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "brand,name,gtins,price_min,price_max,price_currency\n"
                "Nike,Air Zoom Pegasus 40,00195866123458,120,160,EUR\n",
            },
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"brand": "Nike", "name": "Air Zoom Pegasus 40"}\n',
            },
        },
    }
}


@router.post(
    "/import",
    response_model=ImportReport,
    responses=problem_responses(401, 403, 404, 413, 415, 422),
    openapi_extra=BODY_DOC,
)
async def import_catalogue(
    request: Request,
    principal: RightsHolderOrAdmin,
    holder: ActingHolder,
    session: SessionDep,
    settings: SettingsDep,
) -> ImportReport:
    """Register or update many products at once; bad rows are listed by line.

    A row naming one of the holder's products (by `sku` / `external_id`, else a GTIN,
    else brand + model, else brand + name) updates the fields it gives; re-importing the
    same file changes nothing.

    An admin names the rights holder it acts for in `rights_holder_id` (422 without it);
    a rights holder may leave it out or name only its own (422 for another).
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = MEDIA_TYPES.get(media_type)
    if fmt is None:
        raise UnsupportedMediaType(
            f"send text/csv or application/x-ndjson, not {media_type or 'nothing'}"
        )
    body = await request.body()
    # Parsing and validating thousands of rows is CPU work: keep it off the event loop.
    result = await run_in_threadpool(
        lambda: import_rows(
            session,
            actor=principal.actor,
            rights_holder_id=holder,
            rows=parse_rows(body, fmt=fmt),
            batch_size=settings.import_batch_size,
        )
    )
    return ImportReport(
        total=result.total,
        imported=len(result.product_ids),
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        failed=len(result.errors),
        product_ids=result.product_ids,
        errors=[ImportRowError(line=line, reason=reason) for line, reason in result.errors],
        catalog_version=result.catalog_version,
    )
