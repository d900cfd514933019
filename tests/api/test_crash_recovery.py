"""Crash recovery and a failing blob store: `countermark fsck`, and no row without its blob.

An orphan blob (what a kill between the blob write and the row's commit leaves)
is found and, once older than a minute, removed by `fsck --repair`; a row whose
blob is gone is reported. A full or unwritable blob store answers 507 / 503
problem+json and leaves no image row behind. Root ignores file modes, so the
store's failures are injected at `os.fsync`, where a full disk reports itself.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from api.cli.main import app as cli_app
from catalog.core.blobs import BlobStore
from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.models import OfficerCheck, ReferenceImage
from tests.api.helpers import jpeg_bytes, product_body
from tests.conftest import HolderFactory, KeyFactory


def _env(settings: Settings) -> dict[str, str]:
    return {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def _upload(
    client: TestClient, headers: dict[str, str], product_id: str, data: bytes
) -> httpx.Response:
    return client.post(
        f"/v1/products/{product_id}/images",
        files={"file": ("a.jpg", data, "image/jpeg")},
        data={"kind": "genuine"},
        headers=headers,
    )


def _image_rows(database: Database) -> list[ReferenceImage]:
    with database.session(write=False) as session:
        return list(session.exec(select(ReferenceImage)).all())


def test_fsck_finds_and_repairs_an_orphan_blob(
    client: TestClient, settings: Settings, database: Database, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike")
    product = client.post("/v1/products", headers=headers, json=product_body()).json()
    assert _upload(client, headers, product["id"], jpeg_bytes()).status_code == 201
    store = BlobStore(settings.blob_dir)
    kept = store.path(_image_rows(database)[0].sha256)
    old_orphan = store.path(store.put(b"bytes of an upload killed before its commit"))
    young_orphan = store.path(store.put(b"an upload still running"))
    temp = old_orphan.parent / ".tmp-cut-short"
    temp.write_bytes(b"half a file")
    _age(old_orphan, 120)
    _age(temp, 120)
    runner, env = CliRunner(), _env(settings)

    found = runner.invoke(cli_app, ["fsck"], env=env)
    assert found.exit_code == 1, found.output
    assert f"orphan blob: {old_orphan}" in found.output
    assert f"temp file: {temp}" in found.output
    assert old_orphan.exists()
    assert temp.exists()

    repaired = runner.invoke(cli_app, ["fsck", "--repair"], env=env)
    assert f"removed: {old_orphan}" in repaired.output
    assert not old_orphan.exists()
    assert not temp.exists()
    assert young_orphan.exists(), "a blob younger than a minute may belong to a running upload"
    assert kept.exists()
    assert repaired.exit_code == 1  # the young orphan is still there

    _age(young_orphan, 120)
    clean = runner.invoke(cli_app, ["fsck", "--repair"], env=env)
    assert clean.exit_code == 0, clean.output
    assert runner.invoke(cli_app, ["fsck"], env=env).exit_code == 0


def test_fsck_reports_a_row_whose_blob_is_missing(
    client: TestClient, settings: Settings, database: Database, make_holder: HolderFactory
) -> None:
    _, headers = make_holder("Nike")
    product = client.post("/v1/products", headers=headers, json=product_body()).json()
    assert _upload(client, headers, product["id"], jpeg_bytes()).status_code == 201
    image = _image_rows(database)[0]
    BlobStore(settings.blob_dir).path(image.sha256).unlink()
    result = CliRunner().invoke(cli_app, ["fsck", "--repair"], env=_env(settings))
    assert result.exit_code == 1
    assert f"row without blob: image {image.id} (sha256 {image.sha256})" in result.output


@pytest.mark.parametrize(
    ("error", "status"), [(errno.ENOSPC, 507), (errno.EDQUOT, 507), (errno.EACCES, 503)]
)
def test_a_blob_store_that_cannot_be_written_leaves_no_row(
    client: TestClient,
    database: Database,
    make_holder: HolderFactory,
    monkeypatch: pytest.MonkeyPatch,
    error: int,
    status: int,
) -> None:
    _, headers = make_holder("Nike")
    product = client.post("/v1/products", headers=headers, json=product_body()).json()

    def failing_fsync(fd: int) -> None:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    data = jpeg_bytes(colour=(10, 200, 30))
    response = _upload(client, headers, product["id"], data)
    monkeypatch.undo()
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if status == 503:
        assert int(response.headers["retry-after"]) >= 1
    assert _image_rows(database) == []
    blob_dir = Path(client.app.state.settings.blob_dir)  # type: ignore[attr-defined]
    leftovers = [p for p in blob_dir.rglob("*") if p.is_file()]
    assert leftovers == [], "a failed write leaves neither the blob nor its temp file"


def test_fsck_keeps_officers_check_photos(
    settings: Settings, database: Database, make_key: KeyFactory
) -> None:
    """Check photos share the blob store: `fsck --repair` must never take them for orphans."""
    from tests.api.checkkit import jpeg, phone_photo
    from tests.e2e.kit import screening_client

    with screening_client(settings) as client:
        files = {"photo": ("item.jpg", jpeg(phone_photo(4)), "image/jpeg")}
        made = client.post("/v1/checks", headers=make_key("officer"), files=files)
    assert made.status_code == 201, made.text
    with database.session(write=False) as session:
        sha256 = session.exec(select(OfficerCheck.photo_sha256)).one()
    assert sha256 is not None
    photo = BlobStore(settings.blob_dir).path(sha256)
    _age(photo, 120)

    repaired = CliRunner().invoke(cli_app, ["fsck", "--repair"], env=_env(settings))
    photo.unlink()
    missing = CliRunner().invoke(cli_app, ["fsck"], env=_env(settings))

    assert repaired.exit_code == 0, repaired.output
    assert "orphan" not in repaired.output.replace("0 orphan blobs", "")
    assert missing.exit_code == 1
    assert f"row without blob: image check {made.json()['id']}" not in missing.output
    assert f"check {made.json()['id']} (sha256 {sha256})" in missing.output
