"""Prior versions of products and reference images, and the engine's index as of a version.

A change calls `keep_product` (or `keep_image` before removing an image) in its own
transaction, before it touches the row: the row as it stood since its
`catalog_version` is kept, keyed by product (or image) id and that version. The
catalogue as of version `v` is then: a row whose `catalog_version` is at most `v` as
it is now; a row changed later as its newest kept version at or below `v` (absent if
none: it was created later); images added later left out, images removed later back.

Brand aliases are kept the same way: `keep_alias` before an alias is removed, and
`aliases_as_of(v)` is every alias added at or before `v` and not removed by then.
An alias change also stamps the brand's products with its version, so they are kept
first (`keep_brand`) and are among those moved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session, col

from catalog.index.engine_records import AliasMap, image_record, record_from_facts
from catalog.models import (
    BrandAlias,
    BrandAliasVersion,
    Product,
    ProductVersion,
    ReferenceImage,
    ReferenceImageVersion,
    utcnow,
)
from catalog.products import repository
from catalog.products.validation import brand_key
from matchers.records import ProductRecord


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


def keep_brand(
    session: Session, *, rights_holder_id: str, brand_key: str, replaced_at: int
) -> None:
    """Keep the holder's products of one brand before an alias change re-stamps them."""
    products = session.execute(
        select(Product).where(
            col(Product.rights_holder_id) == rights_holder_id, col(Product.brand_key) == brand_key
        )
    ).scalars()
    for product in products:
        keep_product(session, product=product, replaced_at=replaced_at)


def keep_alias(session: Session, *, alias: BrandAlias, removed_at: int) -> None:
    """Keep a brand alias before the change at version `removed_at` removes it."""
    session.add(
        BrandAliasVersion(
            alias_id=alias.id,
            rights_holder_id=alias.rights_holder_id,
            brand=alias.brand,
            alias=alias.alias,
            catalog_version=alias.catalog_version,
            removed_at_version=removed_at,
            recorded_at=utcnow(),
        )
    )
    session.flush()


def aliases_as_of(conn: Connection, *, version: int) -> AliasMap:
    """Every alias in force at catalogue version `version`, as `load_aliases` gives them."""
    live = select(
        col(BrandAlias.rights_holder_id), col(BrandAlias.brand), col(BrandAlias.alias)
    ).where(col(BrandAlias.catalog_version) <= version)
    kept = select(
        col(BrandAliasVersion.rights_holder_id),
        col(BrandAliasVersion.brand),
        col(BrandAliasVersion.alias),
    ).where(
        col(BrandAliasVersion.catalog_version) <= version,
        col(BrandAliasVersion.removed_at_version) > version,
    )
    out: dict[tuple[str, str], list[str]] = {}
    for stmt in (live, kept):
        for holder, brand, alias in conn.execute(stmt):
            out.setdefault((holder, brand_key(brand)), []).append(alias)
    return {k: sorted(set(v)) for k, v in out.items()}


def revert_index(index: Any, conn: Connection, *, version: int, aliases: AliasMap) -> list[str]:
    """Turn an index of today's catalogue into the catalogue at `version`; return what moved."""
    moved, changed_images = repository.changed_after(conn, version=version)
    restored: list[str] = []
    for product_id in moved:
        index.remove_product(product_id)
        facts = repository.product_as_of(conn, product_id=product_id, version=version)
        if facts is not None and facts.get("status") == "active":
            index.upsert_product(_record(facts, aliases))
            restored.append(product_id)
    for image_id in changed_images:
        index.remove_image(image_id)
    rows = repository.image_rows_live_at(conn, version=version, product_ids=restored)
    for image in sorted((image_record(r) for r in rows), key=lambda i: i.image_id):
        if image.product_id in index.products:
            index.upsert_image(image)
    return moved


def _record(facts: dict[str, Any], aliases: AliasMap) -> ProductRecord:
    values = dict(facts)
    if values.get("valid_until"):
        values["valid_until"] = date.fromisoformat(str(values["valid_until"])[:10])
    return record_from_facts(values, aliases=aliases)
