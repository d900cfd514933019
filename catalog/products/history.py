"""Prior versions of products and reference images, and the engine's index as of a version.

A change calls `keep_product` (or `keep_image` before removing an image) in its own
transaction, before it touches the row: the row as it stood since its
`catalog_version` is kept, keyed by product (or image) id and that version. The
catalogue as of version `v` is then: a row whose `catalog_version` is at most `v` as
it is now; a row changed later as its newest kept version at or below `v` (absent if
none: it was created later); images added later left out, images removed later back.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, select
from sqlmodel import Session

from catalog.index.engine_records import IMAGE_COLUMNS, AliasMap, image_record, record_from_facts
from catalog.models import Product, ProductVersion, ReferenceImage, ReferenceImageVersion, utcnow
from matchers.records import ImageRecord, ProductRecord

_PRODUCT = cast(Any, Product).__table__
_P = _PRODUCT.c
_I = cast(Any, ReferenceImage).__table__.c
_PV = cast(Any, ProductVersion).__table__.c
_IV = cast(Any, ReferenceImageVersion).__table__.c


def keep_product(session: Session, *, product: Product, replaced_at: int) -> None:
    """Keep a product's current state before the change at version `replaced_at` alters it."""
    session.add(
        ProductVersion(
            product_id=product.id,
            catalog_version=product.catalog_version,
            replaced_at_version=replaced_at,
            snapshot=product.model_dump(mode="json"),
            recorded_at=utcnow(),
        )
    )
    session.flush()


def keep_image(session: Session, *, image: ReferenceImage, removed_at: int) -> None:
    """Keep a reference image's facts before the change at version `removed_at` removes it."""
    session.add(
        ReferenceImageVersion(
            image_id=image.id,
            catalog_version=image.catalog_version,
            removed_at_version=removed_at,
            product_id=image.product_id,
            kind=image.kind,
            sha256=image.sha256,
            hashes=dict(image.hashes),
            local_features=image.local_features,
            recorded_at=utcnow(),
        )
    )
    session.flush()


def product_as_of(conn: Connection, *, product_id: str, version: int) -> dict[str, Any] | None:
    """A product's registered facts as they stood at `version` (None if it did not exist)."""
    row = conn.execute(select(_PRODUCT).where(_P.id == product_id)).first()
    if row is not None and row._mapping["catalog_version"] <= version:
        return {k: _json(v) for k, v in row._mapping.items()}
    kept = conn.execute(
        select(_PV.snapshot)
        .where(_PV.product_id == product_id, _PV.catalog_version <= version)
        .order_by(_PV.catalog_version.desc())
        .limit(1)
    ).scalar()
    return dict(kept) if kept is not None else None


def images_as_of(conn: Connection, *, product_id: str, version: int) -> list[dict[str, Any]]:
    """A product's reference images (id, kind, sha256) as they stood at `version`."""
    live = conn.execute(
        select(_I.id, _I.kind, _I.sha256).where(
            _I.product_id == product_id, _I.catalog_version <= version
        )
    ).all()
    removed = conn.execute(
        select(_IV.image_id, _IV.kind, _IV.sha256).where(
            _IV.product_id == product_id,
            _IV.catalog_version <= version,
            _IV.removed_at_version > version,
        )
    ).all()
    images = [{"id": i, "kind": k, "sha256": s} for i, k, s in [*live, *removed]]
    return sorted(images, key=lambda d: d["id"])


def revert_index(index: Any, conn: Connection, *, version: int, aliases: AliasMap) -> list[str]:
    """Turn an index of today's catalogue into the catalogue at `version`; return what moved."""
    moved = sorted(conn.execute(select(_P.id).where(_P.catalog_version > version)).scalars())
    restored: list[str] = []
    for product_id in moved:
        index.remove_product(product_id)
        facts = product_as_of(conn, product_id=product_id, version=version)
        if facts is not None and facts.get("status") == "active":
            index.upsert_product(_record(facts, aliases))
            restored.append(product_id)
    for image_id in conn.execute(select(_I.id).where(_I.catalog_version > version)).scalars():
        index.remove_image(image_id)
    for image in _images_live_at(conn, version=version, product_ids=restored):
        if image.product_id in index.products:
            index.upsert_image(image)
    return moved


def _images_live_at(conn: Connection, *, version: int, product_ids: list[str]) -> list[ImageRecord]:
    out: list[ImageRecord] = []
    if product_ids:
        live = select(*IMAGE_COLUMNS).where(
            _I.product_id.in_(product_ids), _I.catalog_version <= version
        )
        out.extend(image_record(row) for row in conn.execute(live))
    removed = select(_IV.image_id, _IV.product_id, _IV.kind, _IV.hashes, _IV.local_features).where(
        _IV.catalog_version <= version, _IV.removed_at_version > version
    )
    out.extend(image_record(row) for row in conn.execute(removed))
    return sorted(out, key=lambda i: i.image_id)


def _record(facts: dict[str, Any], aliases: AliasMap) -> ProductRecord:
    values = dict(facts)
    if values.get("valid_until"):
        values["valid_until"] = date.fromisoformat(str(values["valid_until"])[:10])
    return record_from_facts(values, aliases=aliases)


def _json(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else value
