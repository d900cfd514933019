"""`countermark rescore`: a decision reproduced against the catalogue as it was, after edits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli.main import app as cli
from catalog.core.db import Database
from catalog.core.settings import Settings, pseudonym_secret
from catalog.products.repository import images_as_of, product_as_of
from catalog.screening.rescore import rescore_as_recorded
from tests.api.helpers import register
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import pattern_image, png_bytes, screening_client

CHEAP_SHOES = {
    "description": "nike air zoom pegasus 40 running shoe",
    "brand": "Nike",
    "quantity": 1,
    "unit_value": {"amount": 10.0, "currency": "USD"},
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has finished loading its index."""
    with screening_client(settings) as test_client:
        yield test_client


def _screen_then_change_everything(
    client: TestClient, make_key: KeyFactory, make_holder: HolderFactory
) -> tuple[dict[str, Any], str, str]:
    """A screening matching a product and its image; then the product is edited, its
    image removed, a second look-alike product registered, and the first retired."""
    _, holder = make_holder("Nike")
    product_id = register(client, holder)
    upload = client.post(
        f"/v1/products/{product_id}/images",
        files={"file": ("a.png", png_bytes(pattern_image(3)), "image/png")},
        data={"kind": "genuine"},
        headers=holder,
    )
    assert upload.status_code == 201, upload.text
    image = upload.json()
    declared = CHEAP_SHOES | {"images": [{"phash": image["hashes"]["phash"]}]}
    created = client.post("/v1/screenings", headers=make_key("customs"), json=declared).json()
    assert created["matches"][0]["product_id"] == product_id
    cheaper = {"price": {"min": 5.0, "max": 12.0, "currency": "USD"}, "authorized_origins": []}
    assert client.patch(f"/v1/products/{product_id}", headers=holder, json=cheaper).is_success
    assert client.delete(f"/v1/images/{image['id']}", headers=holder).is_success
    register(client, holder, model="DV3853-002", gtins=[])
    assert client.delete(f"/v1/products/{product_id}", headers=holder).is_success
    return created, product_id, image["id"]


def test_rescore_reproduces_a_screening_after_edits_and_retirement(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    database: Database,
    settings: Settings,
) -> None:
    created, product_id, image_id = _screen_then_change_everything(client, make_key, make_holder)

    as_recorded, today = rescore_as_recorded(
        engine=database.engine, screening_id=created["id"], pseudonym_key=pseudonym_secret(settings)
    )
    with database.engine.connect() as conn:
        then = product_as_of(conn, product_id=product_id, version=created["catalog_version"])
        images = images_as_of(conn, product_id=product_id, version=created["catalog_version"])

    assert as_recorded.identical, as_recorded.differences
    assert not today.identical
    assert today.versions["catalog_version"][1] > created["catalog_version"]
    assert then is not None
    assert (then["status"], then["price_min"]) == ("active", 120.0)
    assert [i["id"] for i in images] == [image_id]


def test_rescore_command_exits_0_when_reproduced_and_lists_todays_differences(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    settings: Settings,
    database: Database,
) -> None:
    created, _, _ = _screen_then_change_everything(client, make_key, make_holder)
    env = {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }
    reproduced = CliRunner().invoke(cli, ["rescore", created["id"]], env=env)
    with database.engine.begin() as conn:  # the stored result is no longer what the engine says
        forged = created | {"risk": 0.0123}
        conn.execute(
            text("UPDATE screening SET result = :r WHERE id = :id"),
            {"r": json.dumps(forged), "id": created["id"]},
        )
    not_reproduced = CliRunner().invoke(cli, ["rescore", created["id"]], env=env)

    assert reproduced.exit_code == 0, reproduced.output
    assert "reproduced exactly" in reproduced.output
    assert "today:" in reproduced.output
    assert "difference(s)" in reproduced.output
    assert not_reproduced.exit_code == 1, not_reproduced.output
    assert "NOT reproduced" in not_reproduced.output


def test_rescore_reproduces_a_screening_after_its_alias_and_rate_changed(
    client: TestClient,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    admin_headers: dict[str, str],
    database: Database,
    settings: Settings,
) -> None:
    _, holder = make_holder("Nike")
    register(client, holder)
    alias = client.post("/v1/brand-aliases", headers=holder, json={"brand": "Nike", "alias": "NK"})
    assert alias.status_code == 201, alias.text
    november = {"currency": "USD", "quote": "EUR", "valid_from": "2026-11-01",
                "valid_to": "2026-11-30"}  # fmt: skip
    rates = {"source": "monthly", "rates": [november | {"rate": 0.9}]}
    assert client.post("/v1/fx-rates", headers=admin_headers, json=rates).status_code == 201
    declared = CHEAP_SHOES | {"brand": "NK", "declared_on": "2026-11-10"}
    created = client.post("/v1/screenings", headers=make_key("customs"), json=declared).json()
    price = next(s for s in created["matches"][0]["signals"] if s["name"].startswith("price_"))
    assert "9.00 EUR" in price["detail"]
    # After the screening: the alias is removed and the month's rate replaced.
    gone = client.delete(f"/v1/brand-aliases/{alias.json()['id']}", headers=holder)
    assert gone.is_success, gone.text
    replaced = {"source": "corrected", "rates": [november | {"rate": 0.5}]}
    assert client.post("/v1/fx-rates", headers=admin_headers, json=replaced).status_code == 201

    as_recorded, today = rescore_as_recorded(
        engine=database.engine, screening_id=created["id"], pseudonym_key=pseudonym_secret(settings)
    )

    assert as_recorded.identical, as_recorded.differences
    assert not today.identical  # today's aliases and rates would not say the same
    fx_then, fx_now = today.versions["fx_version"]
    assert fx_now > fx_then  # the replacement raised the fx version (no id reused)
    assert as_recorded.versions["fx_version"] == (fx_then, fx_then)
