"""Reference images: decode untrusted uploads, re-encode, store by content, describe, audit.

An upload is decoded fully with the engine's `load_image` (EXIF orientation
applied, bombs and truncated or non-image files refused), re-encoded without its
metadata (PNG for lossless sources, JPEG quality 90 otherwise) and stored in the
blob store under the SHA-256 of the re-encoded bytes. Its features come from the
engine's `describe`, computed on the same pixels.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image
from sqlmodel import Session

from catalog.access import audit
from catalog.access.keys import Principal
from catalog.core.blobs import BlobStore
from catalog.core.errors import Conflict, Gone, NotFound, Unprocessable
from catalog.models import ReferenceImage
from catalog.products import history, repository
from catalog.products import service as products
from catalog.products.validation import plausible_id
from matchers.images.decode import ImageError, load_image
from matchers.images.describe import describe

LOSSLESS_FORMATS = frozenset({"PNG", "GIF", "BMP", "TIFF", "PPM", "TGA", "ICO"})
KINDS = ("genuine", "counterfeit", "packaging", "logo")


@dataclass(frozen=True)
class PreparedImage:
    """An upload made safe: re-encoded bytes and the features of its pixels."""

    data: bytes
    content_type: str
    width: int
    height: int
    hashes: dict[str, str]
    local_features: bytes | None


def _source_format(raw: bytes) -> str:
    try:
        with Image.open(io.BytesIO(raw)) as probe:  # header only; load_image decoded it already
            return str(probe.format or "")
    except Exception:
        return ""


def prepare_image(raw: bytes, *, max_pixels: int) -> PreparedImage:
    """Decode, orient, strip and re-encode an upload and describe its pixels (422 if unusable)."""
    if not raw:
        raise Unprocessable("the file is empty", slug="not-an-image")
    try:
        im = load_image(raw, max_pixels=max_pixels)
    except ImageError as exc:
        raise Unprocessable(str(exc), slug=exc.reason.replace("_", "-")) from exc
    lossless = _source_format(raw) in LOSSLESS_FORMATS
    out = io.BytesIO()
    if lossless:
        im.save(out, format="PNG", optimize=False)
    else:
        im.save(out, format="JPEG", quality=90, optimize=True)
    description = describe(im)
    return PreparedImage(
        data=out.getvalue(),
        content_type="image/png" if lossless else "image/jpeg",
        width=im.width,
        height=im.height,
        hashes=dict(description.hashes),
        local_features=description.local_features or None,
    )


def add_image(
    session: Session,
    *,
    principal: Principal,
    product_id: str,
    kind: str,
    prepared: PreparedImage,
    blobs: BlobStore,
) -> ReferenceImage:
    """Attach a prepared image to a product the caller owns (404 otherwise) and audit it."""
    if kind not in KINDS:
        raise Unprocessable(f"kind must be one of {', '.join(KINDS)}", slug="invalid-kind")
    product = products.read_product(session, principal=principal, product_id=product_id)
    if product.status != "active":
        raise Conflict(f"product {product_id} is retired", slug="retired")
    version = audit.begin_change(session)
    sha256 = blobs.put(prepared.data)
    image = ReferenceImage(
        product_id=product.id,
        kind=kind,
        sha256=sha256,
        content_type=prepared.content_type,
        width=prepared.width,
        height=prepared.height,
        hashes=prepared.hashes,
        local_features=prepared.local_features,
        catalog_version=version,
    )
    repository.save(session, row=image)
    audit.append_event(
        session,
        actor=principal.actor,
        action="image.create",
        entity_type="reference_image",
        entity_id=image.id,
        change={"product_id": product.id, "kind": kind, "sha256": sha256, "hashes": image.hashes},
        catalog_version=version,
    )
    return image


def read_image(session: Session, *, principal: Principal, image_id: str) -> ReferenceImage:
    """An image the caller may fetch: its owner, an admin, or customs/officers for genuine ones."""
    if not plausible_id(image_id):
        raise NotFound(f"image {image_id[:64]} does not exist")
    row = repository.image_with_owner(session, image_id=image_id)
    if row is None:
        raise NotFound(f"image {image_id} does not exist")
    image, holder, status = row
    allowed = (
        principal.role == "admin"
        or (principal.role == "rights_holder" and principal.rights_holder_id == holder)
        or (principal.role in ("customs", "officer") and image.kind == "genuine")
    )
    if not allowed:
        raise NotFound(f"image {image_id} does not exist")
    if status == "retired":
        raise Gone(
            f"image {image_id} belongs to product {image.product_id}, which was retired; "
            + products.RETIRED_NOTE,
            slug="retired",
        )
    return image


def delete_image(session: Session, *, principal: Principal, image_id: str) -> None:
    """Remove a reference image of the caller's product (404 for anyone else's).

    The blob stays: content-addressed bytes may be shared by another record.
    """
    audit.lock_version(session)
    image = read_image(session, principal=principal, image_id=image_id)
    products.read_product(session, principal=principal, product_id=image.product_id)
    version = audit.begin_change(session)
    history.keep_image(session, image=image, removed_at=version)
    repository.delete_row(session, row=image)
    audit.append_event(
        session,
        actor=principal.actor,
        action="image.delete",
        entity_type="reference_image",
        entity_id=image_id,
        change={"product_id": image.product_id, "sha256": image.sha256},
        catalog_version=version,
    )


def list_images(
    session: Session, *, principal: Principal, product_id: str
) -> list[tuple[ReferenceImage, bool]]:
    """A product's images (owner or admin) with whether each has local features; 410 once
    the product is retired."""
    products.read_active_product(session, principal=principal, product_id=product_id)
    return repository.product_images(session, product_id=product_id)


def image_bytes(blobs: BlobStore, *, image: ReferenceImage, size: int | None) -> bytes:
    """The stored bytes, or a thumbnail whose longer side is at most `size`."""
    data = blobs.get(image.sha256)
    if size is None or max(image.width, image.height) <= size:
        return data
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        thumb = im.convert("RGB")
        thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if image.content_type == "image/png":
            thumb.save(out, format="PNG")
        else:
            thumb.save(out, format="JPEG", quality=85)
        return out.getvalue()
