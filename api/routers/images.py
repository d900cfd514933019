"""Reference images: upload to a product (its owner), list, download with a thumbnail size."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.convert import image_read
from api.deps import (
    BlobsDep,
    ImageProcessorDep,
    ImageReader,
    RightsHolderOrAdmin,
    SessionDep,
    SettingsDep,
)
from api.errors import problem_responses
from api.schemas.products import ImageRead
from catalog.products import images

router = APIRouter(tags=["images"])


@router.post(
    "/v1/products/{product_id}/images",
    status_code=201,
    response_model=ImageRead,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422, 429, 503, 507),
)
async def upload(
    product_id: str,
    file: Annotated[UploadFile, File(description="a JPEG, PNG, WebP, HEIC … image")],
    kind: Annotated[Literal["genuine", "counterfeit", "packaging", "logo"], Form()],
    principal: RightsHolderOrAdmin,
    session: SessionDep,
    settings: SettingsDep,
    blobs: BlobsDep,
    processor: ImageProcessorDep,
) -> ImageRead:
    """Add a reference image; returns its SHA-256 and perceptual hashes.

    The file is decoded fully (bombs, truncated and non-image files are a 422),
    EXIF-oriented, stripped of metadata and re-encoded before it is stored; the
    decoding runs in a worker process, off the event loop. An image whose header
    declares more pixels than one request may decode is a 413 (`image-pixel-budget`),
    before any decoding; a client that already has all its image jobs running gets a 429
    (`too-many-image-jobs`) with Retry-After.
    """
    raw = await file.read()
    async with (
        processor.admit(
            principal.client_id, [raw], budget=settings.image_pixels_per_request, reduce_to=None
        ) as slots,
        slots or nullcontext(),
    ):
        prepared = await processor.prepare(raw)
    image = await run_in_threadpool(
        lambda: images.add_image(
            session,
            principal=principal,
            product_id=product_id,
            kind=kind,
            prepared=prepared,
            blobs=blobs,
        )
    )
    return image_read(image, has_local_features=prepared.local_features is not None)


@router.get(
    "/v1/products/{product_id}/images",
    response_model=list[ImageRead],
    responses=problem_responses(401, 403, 404, 410),
)
def list_for_product(
    product_id: str, principal: RightsHolderOrAdmin, session: SessionDep
) -> list[ImageRead]:
    """A product's reference images, oldest first (a retired product's are a 410)."""
    rows = images.list_images(session, principal=principal, product_id=product_id)
    return [image_read(image, has_local_features=has) for image, has in rows]


@router.get(
    "/v1/images/{image_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "the image"},
        304: {"description": "not modified"},
        **problem_responses(401, 403, 404, 410, 422),
    },
)
def download(
    image_id: str,
    request: Request,
    principal: ImageReader,
    session: SessionDep,
    settings: SettingsDep,
    blobs: BlobsDep,
    size: Annotated[int | None, Query(ge=16, le=4096, description="longest side")] = None,
) -> Response:
    """The stored image (owner, admin; customs and officers for genuine references).

    An image of a retired product is a 410: the evidence of each screening that matched
    the product keeps it (as a thumbnail as of the screening's catalogue version).
    """
    image = images.read_image(session, principal=principal, image_id=image_id)
    size = min(size, settings.thumbnail_max_size) if size else None
    etag = f'"{image.sha256}-{size or 0}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    data = images.image_bytes(blobs, image=image, size=size)
    return Response(data, media_type=image.content_type, headers=headers)


@router.delete(
    "/v1/images/{image_id}", status_code=204, responses=problem_responses(401, 403, 404, 410)
)
def delete(image_id: str, principal: RightsHolderOrAdmin, session: SessionDep) -> Response:
    """Remove a reference image of your product; screening stops using it.

    The images of a retired product went with it: a 410.
    """
    images.delete_image(session, principal=principal, image_id=image_id)
    return Response(status_code=204)
