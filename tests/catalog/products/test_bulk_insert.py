"""A bulk-imported product is stored exactly as one registered through the API path."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, cast, select

from catalog.access.keys import CLI_ACTOR, Principal
from catalog.core.db import Database
from catalog.models import Product
from catalog.products.importing import import_rows, parse_rows
from catalog.products.rights_holders import create_rights_holder
from catalog.products.service import create_product, retire_product
from catalog.products.validation import ProductData

FIELDS: dict[str, Any] = {
    "brand": "Nïke",
    "name": "Air Zoom",
    "gtins": ["4006381333931", "0012345678905"],
    "hs_codes": ["6404.11"],
    "authorized_origins": ["vn", "ID"],
    "authorized_importers": ["Acme GmbH"],
    "authenticity_features": ['hologram "é" ✓'],
    "price": {"min": 10, "max": 20.5, "currency": "eur"},
    "valid_until": "2027-01-31",
}
LIST_COLUMNS = [
    "gtins",
    "hs_codes",
    "authorized_origins",
    "authorized_importers",
    "authorized_exporters",
    "authenticity_features",
    "counterfeit_indicators",
]


def _stored(database: Database, product_id: str) -> tuple[dict[str, Any], list[str]]:
    table = Product.__table__  # type: ignore[attr-defined]
    with database.session(write=False) as session:
        product = session.get(Product, product_id)
        assert product is not None
        texts = session.execute(
            select(*(cast(table.c[name], String) for name in LIST_COLUMNS)).where(
                table.c.id == product_id
            )
        ).one()
        skip = {"id", "rights_holder_id", "created_at", "updated_at", "catalog_version"}
        return product.model_dump(exclude=skip), list(texts)


def test_import_stores_the_same_columns_and_json_text_as_create(database: Database) -> None:
    with database.session() as session:
        first = create_rights_holder(session, actor=CLI_ACTOR, name="A").id
    with database.session() as session:
        principal = Principal(
            key_id="k", role="admin", rights_holder_id=None, name="t", client_id="c"
        )
        made = create_product(
            session,
            principal=principal,
            rights_holder_id=first,
            data=ProductData.model_validate(FIELDS),
        ).id
    created = _stored(database, made)
    # The brand and GTINs are the holder's own: retire the product so the import creates anew.
    with database.session() as session:
        retire_product(session, principal=principal, product_id=made)
    body = (json.dumps(FIELDS) + "\n" + json.dumps({"brand": "B", "name": "Plain"}) + "\n").encode()
    with database.session() as session:
        result = import_rows(
            session, actor=CLI_ACTOR, rights_holder_id=first, rows=parse_rows(body, fmt="ndjson")
        )
    assert result.errors == []
    assert _stored(database, result.product_ids[0]) == created
    columns, texts = _stored(database, result.product_ids[1])
    assert texts == ["[]"] * len(LIST_COLUMNS)
    assert columns["gtins"] == []
    assert columns["brand"] == "B"


def test_progress_is_reported_in_steps_and_at_the_end(database: Database) -> None:
    with database.session() as session:
        holder = create_rights_holder(session, actor=CLI_ACTOR, name="P").id
    body = "".join(json.dumps({"brand": "B", "name": f"N{i}"}) + "\n" for i in range(250))
    seen: list[int] = []
    with database.session() as session:
        result = import_rows(
            session,
            actor=CLI_ACTOR,
            rights_holder_id=holder,
            rows=parse_rows(body.encode(), fmt="ndjson"),
            batch_size=64,
            progress=seen.append,
        )
    assert len(result.product_ids) == 250
    assert seen == [100, 200, 250]
