"""Helpers shared by the screening tests: strict settings, catalogue rows, synthetic images."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from api.app import create_app
from api.errors import Problem
from api.schemas.screening import BatchResult, ScreeningResult
from catalog.access import audit
from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.models import BrandAlias, Product, ReferenceImage
from matchers.images.hashes import compute_hashes


def screening_settings(settings: Settings, **overrides: Any) -> Settings:
    """The test's settings made strict for screening: the index is checked before each one."""
    values: dict[str, Any] = {
        "index_check_ms": 0.0,
        "refresh_wait_seconds": 60.0,  # tests expect every change applied before scoring
        "pseudonym_key": "test-pseudonym-key",
        "writer_max_batch": 64,
        "image_workers": 1,  # declared images go through a real process pool
        "image_max_pixels": 4_000_000,
        "image_reduce_to": 512,
    }
    values.update(overrides)
    return type(settings)(**{**settings.model_dump(), **values})


def validate_screening_response(response: httpx.Response) -> None:
    """Parse a /v1/screenings answer with the schema the OpenAPI document gives for it.

    The routes send pre-serialised JSON (no response-model pass), so this is what
    proves that what they send is what they document.
    """
    path = response.request.url.path
    if not path.startswith("/v1/screenings") or path.endswith("/evidence"):
        return
    response.read()
    if response.headers["content-type"].startswith("application/problem+json"):
        Problem.model_validate_json(response.content)
    elif path.endswith("/batch"):
        BatchResult.model_validate_json(response.content)
    else:
        ScreeningResult.model_validate_json(response.content)
    VALIDATED[path.endswith("/batch")] += 1


VALIDATED = {False: 0, True: 0}  # answers checked so far (single, batch): the hook is live


def wait_ready(client: TestClient) -> None:
    """Poll /readyz until the app's index is loaded."""
    for _ in range(200):
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(client.get("/readyz").json())


@contextmanager
def screening_client(settings: Settings, **overrides: Any) -> Iterator[TestClient]:
    """A client of the whole service, screening included, once its index is loaded.

    Every /v1/screenings answer it receives is parsed with its documented schema.
    """
    app = create_app(screening_settings(settings, **overrides))
    with TestClient(app, raise_server_exceptions=False) as client:
        wait_ready(client)
        client.event_hooks["response"].append(validate_screening_response)
        yield client


def add_product(database: Database, *, holder_id: str, **fields: Any) -> str:
    """Insert a product and bump the catalogue version, as a catalogue change does."""
    with database.session() as session:
        version = audit.begin_change(session)
        product = Product(
            rights_holder_id=holder_id,
            brand_key=str(fields["brand"]).casefold(),
            catalog_version=version,
            **fields,
        )
        session.add(product)
        session.flush()
        audit.append_event(
            session,
            actor="test",
            action="product.create",
            entity_type="product",
            entity_id=product.id,
            catalog_version=version,
        )
        return product.id


def change_product(database: Database, *, product_id: str, **fields: Any) -> None:
    """Update (or retire, with status="retired") a product as a catalogue change."""
    with database.session() as session:
        version = audit.begin_change(session)
        product = session.get(Product, product_id)
        assert product is not None
        for name, value in fields.items():
            setattr(product, name, value)
        product.catalog_version = version
        session.add(product)
        audit.append_event(
            session, actor="test", action="product.update", entity_type="product",
            entity_id=product_id, catalog_version=version,
        )  # fmt: skip


def add_image(database: Database, *, product_id: str, kind: str, image: Image.Image) -> str:
    """Register a reference image's hashes (no blob needed by the index)."""
    with database.session() as session:
        version = audit.begin_change(session)
        row = ReferenceImage(
            product_id=product_id,
            kind=kind,
            sha256="0" * 64,
            content_type="image/png",
            width=image.width,
            height=image.height,
            hashes=compute_hashes(image),
            catalog_version=version,
        )
        session.add(row)
        session.flush()
        audit.append_event(
            session, actor="test", action="image.create", entity_type="image",
            entity_id=row.id, catalog_version=version,
        )  # fmt: skip
        return row.id


def delete_image(database: Database, *, image_id: str) -> None:
    """Delete a reference image row as a catalogue change."""
    with database.session() as session:
        version = audit.begin_change(session)
        row = session.get(ReferenceImage, image_id)
        assert row is not None
        session.delete(row)
        audit.append_event(
            session, actor="test", action="image.delete", entity_type="image",
            entity_id=image_id, catalog_version=version,
        )  # fmt: skip


def add_alias(database: Database, *, holder_id: str, brand: str, alias: str) -> None:
    """Register a brand alias as a catalogue change."""
    with database.session() as session:
        version = audit.begin_change(session)
        row = BrandAlias(
            rights_holder_id=holder_id, brand=brand, alias=alias, catalog_version=version
        )
        session.add(row)
        session.flush()
        audit.append_event(
            session, actor="test", action="alias.create", entity_type="brand_alias",
            entity_id=row.id, catalog_version=version,
        )  # fmt: skip


def pattern_image(seed: int, *, size: int = 256) -> Image.Image:
    """A deterministic synthetic picture: shapes whose layout depends on `seed`."""
    im = Image.new("RGB", (size, size), (250, 250, 245))
    draw = ImageDraw.Draw(im)
    state = seed * 7919 + 17
    for _ in range(12):
        state = (state * 1103515245 + 12345) % (2**31)
        x0, y0 = state % size, (state // size) % size
        w, h = 20 + (state >> 8) % 120, 20 + (state >> 12) % 120
        colour = ((state >> 3) % 256, (state >> 11) % 256, (state >> 19) % 256)
        if state % 2:
            draw.rectangle((x0, y0, min(x0 + w, size - 1), min(y0 + h, size - 1)), fill=colour)
        else:
            draw.ellipse((x0, y0, min(x0 + w, size - 1), min(y0 + h, size - 1)), fill=colour)
    return im


def png_bytes(im: Image.Image) -> bytes:
    """PNG-encode an image."""
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def jpeg_base64(im: Image.Image, *, quality: int = 90) -> str:
    """JPEG-encode an image as base64, as a customs client sends it."""
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality)
    return base64.b64encode(buf.getvalue()).decode("ascii")
