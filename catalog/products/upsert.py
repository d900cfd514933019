"""Updating a registered product from an imported row: only the fields the row gives.

A field the row leaves out (an empty CSV cell, a missing NDJSON key) keeps its stored
value; a row that gives only what is stored changes nothing and is not audited.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from catalog.access import audit
from catalog.models import Product, utcnow
from catalog.products import repository
from catalog.products.service import product_columns, search_text
from catalog.products.validation import ProductData, gtin14


def changed_fields(product: Product, data: ProductData) -> dict[str, Any]:
    """The fields the row sets to something other than what is stored: name -> new value."""
    changed: dict[str, Any] = {}
    for name in sorted(data.model_fields_set):
        value = getattr(data, name)
        columns = product_columns({name: value})
        if any(getattr(product, column) != v for column, v in columns.items()):
            changed[name] = value
    return changed


def apply_row(
    session: Session,
    *,
    actor: str,
    product: Product,
    data: ProductData,
    changed: dict[str, Any],
    catalog_version: int,
) -> None:
    """Write the changed fields to the product, stamp the version, audit it; flush only."""
    for column, value in product_columns(changed).items():
        setattr(product, column, value)
    product.search_text = search_text(product)
    product.updated_at = utcnow()
    product.catalog_version = catalog_version
    repository.save(session, row=product)
    if "gtins" in changed:
        repository.set_gtins(session, product=product, gtin_keys=[gtin14(g) for g in product.gtins])
    audit.append_event(
        session,
        actor=actor,
        action="product.update",
        entity_type="product",
        entity_id=product.id,
        change={"via": "import", **data.model_dump(mode="json", include=set(changed))},
        catalog_version=catalog_version,
    )


def update_matched(
    session: Session, *, actor: str, matched: list[tuple[int, str, ProductData]], version: int
) -> dict[int, str]:
    """Apply the rows that name registered products; line -> id of each one changed."""
    products = repository.products_by_ids(session, product_ids=[t for _, t, _ in matched])
    updated: dict[int, str] = {}
    for line, target, data in matched:
        product = products[target]
        changed = changed_fields(product, data)
        if changed:
            apply_row(
                session,
                actor=actor,
                product=product,
                data=data,
                changed=changed,
                catalog_version=version,
            )
            updated[line] = target
    return updated
