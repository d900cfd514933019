"""Checks: an officer photographs an item (or its barcode), types what the label says, and
gets the registered products it may be, what genuine ones show and whom to call."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import (
    BlobsDep,
    ImageProcessorDep,
    Screener,
    ScreeningReader,
    SessionDep,
    SettingsDep,
)
from api.errors import problem_responses
from api.schemas.checks import CheckOutcomeIn, CheckResult
from catalog.checks.answer import check_document, store_check
from catalog.checks.outcomes import record_check_outcome
from catalog.checks.repository import load_check
from catalog.checks.service import CheckInput, score_check
from catalog.core.errors import IndexNotReady, NotFound, Unprocessable
from catalog.products.validation import clean_gtin, clean_text
from catalog.screening.service import ScreeningService

router = APIRouter(prefix="/v1/checks", tags=["checks"])


def _screening(request: Request) -> ScreeningService:
    service: ScreeningService | None = getattr(request.app.state, "screening", None)
    if service is None:
        raise IndexNotReady("checking is unavailable on this worker (see its log)")
    return service


def _form_field(name: str, value: str | None, clean: Callable[[str], str]) -> str | None:
    """A form field cleaned by the rule its JSON twin has (a form is not validated by the
    JSON schema): a GTIN's check digit; no NUL, other control characters or lone surrogates
    in text (PostgreSQL cannot store NUL). A refusal is a 422 naming the field."""
    if value is None or (name == "gtin" and not value.strip()):
        return None
    try:
        return clean(value)
    except ValueError as exc:
        raise Unprocessable(
            f"{name}: {exc}",
            errors=[{"loc": ["body", name], "msg": str(exc), "type": f"invalid_{name}"}],
            slug=f"invalid-{name}",
        ) from exc


@router.post(
    "",
    status_code=201,
    response_model=CheckResult,
    responses=problem_responses(401, 403, 409, 413, 422, 429, 503),
)
async def check(
    principal: Screener,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    blobs: BlobsDep,
    processor: ImageProcessorDep,
    photo: Annotated[
        UploadFile | None, File(description="a photo of the item or its barcode")
    ] = None,
    text: Annotated[str | None, Form(max_length=1000, description="what the label says")] = None,
    gtin: Annotated[str | None, Form(max_length=20, description="a GTIN read by eye")] = None,
) -> CheckResult:
    """Check an item from a photo, label text and/or GTIN (a barcode in the photo is read).

    Scored like a screening and stored with the photo (its EXIF, GPS and other metadata
    stripped). `no_confident_match` says when no registered product is identified.
    A photo whose header declares more pixels than one request may decode is a 413
    (`image-pixel-budget`), before any decoding; a client that already has all its image
    jobs running gets a 429 (`too-many-image-jobs`) with Retry-After.
    """
    given = CheckInput(
        photo=(await photo.read()) if photo is not None else None,
        text=_form_field("text", text, clean_text),
        gtin=_form_field("gtin", gtin, clean_gtin),
    )
    # The photo's bounds: a slot of its client's image jobs, held while it is read and scored.
    async with (
        processor.admit(
            principal.client_id,
            [given.photo] if given.photo else [],
            budget=settings.image_pixels_per_request,
            reduce_to=None,
        ) as slots,
        slots or nullcontext(),
    ):
        scored = await score_check(
            given,
            principal=principal,
            processor=processor,
            screening=_screening(request),
            blobs=blobs,
        )
    document = await run_in_threadpool(
        lambda: store_check(session, scored=scored, principal=principal)
    )
    return CheckResult.model_validate(document)


@router.get("/{check_id}", response_model=CheckResult, responses=problem_responses(401, 403, 404))
def read(check_id: str, principal: ScreeningReader, session: SessionDep) -> CheckResult:
    """A stored check with its outcome (its client or an admin)."""
    check = load_check(session, check_id=check_id, principal=principal)
    return CheckResult.model_validate(check_document(session, check=check))


@router.get(
    "/{check_id}/photo",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "the photo, metadata stripped"},
        **problem_responses(401, 403, 404),
    },
)
def photo_of(
    check_id: str, principal: ScreeningReader, session: SessionDep, blobs: BlobsDep
) -> Response:
    """The photo stored with a check (its client or an admin).

    A check sent without a photo has none: its photo is a 404.
    """
    check = load_check(session, check_id=check_id, principal=principal)
    if check.photo_sha256 is None:
        raise NotFound(f"check {check_id} has no photo")
    return Response(
        blobs.get(check.photo_sha256),
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=86400"},
    )


@router.post(
    "/{check_id}/outcome",
    response_model=CheckResult,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def outcome(
    check_id: str, body: CheckOutcomeIn, principal: Screener, session: SessionDep
) -> CheckResult:
    """Record what the officer found; `counterfeit` with a photo offers it to the rights holder.

    `product_id`, when given, must be one of this check's candidates (422 otherwise).
    """
    document = record_check_outcome(
        session,
        check_id=check_id,
        principal=principal,
        outcome=body.outcome,
        note=body.note,
        checked=body.checked,
        product_id=body.product_id,
    )
    return CheckResult.model_validate(document)
