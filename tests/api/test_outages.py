"""Database outages: every route answers 503 problem+json with Retry-After, then recovers.

The database really goes away under a running app: on SQLite its file is moved
aside and a folder put in its place (SQLite cannot open it); on PostgreSQL the
database stops accepting connections and its sessions are terminated. Then it
comes back, and the same app serves again without a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from catalog.core.db import Database
from catalog.core.settings import Settings
from tests.api.helpers import product_body
from tests.conftest import BACKEND, POSTGRES_ADMIN_URL, KeyFactory, TestSettings
from tests.e2e.kit import screening_settings, wait_ready


@contextmanager
def database_down(app: FastAPI, database: Database) -> Iterator[None]:
    """Make the app's database unreachable for the duration of the block."""
    url = make_url(app.state.db.url)
    if BACKEND == "sqlite":
        path = Path(str(url.database))
        # Pooled SQLite handles keep the moved file's inode open; a lost disk leaves none.
        database.dispose()
        app.state.db.dispose()
        aside = path.with_name(path.name + ".aside")
        path.rename(aside)
        path.mkdir()
        try:
            yield
        finally:
            path.rmdir()
            aside.rename(path)
        return
    name = str(url.database)
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def assert_unavailable(response: object) -> None:
    """A 503 problem+json that says when to retry."""
    assert getattr(response, "status_code", None) == 503, getattr(response, "text", response)
    headers = getattr(response, "headers")  # noqa: B009 - an httpx or TestClient response
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["retry-after"]) >= 1


def test_every_route_answers_503_while_the_database_is_down_then_recovers(
    settings: Settings, database: Database, make_key: KeyFactory, make_holder: object
) -> None:
    _, holder = make_holder("Nike")  # type: ignore[operator]
    admin = make_key("admin")
    customs = make_key("customs")
    app = create_app(screening_settings(settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        wait_ready(client)
        product = client.post("/v1/products", headers=holder, json=product_body(1))
        assert product.status_code == 201
        screened = client.post("/v1/screenings", headers=customs, json={"description": "shoe"})
        assert screened.status_code == 201
        late_key = make_key("customs")  # never seen by the app: its lookup needs the database
        with database_down(app, database):
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"] is False
            assert int(ready.headers["retry-after"]) >= 1
            calls = [
                client.get("/v1/products", headers=holder),
                client.post("/v1/products", headers=holder, json=product_body(2)),
                client.get(f"/v1/products/{product.json()['id']}", headers=holder),
                client.get("/v1/rights-holders", headers=admin),
                client.post("/v1/rights-holders", headers=admin, json={"name": "Adidas AG"}),
                client.get(f"/v1/screenings/{screened.json()['id']}", headers=customs),
                client.get("/v1/products", headers=late_key),
                client.post(
                    "/v1/products",
                    headers={**holder, "Idempotency-Key": "k-1"},
                    json=product_body(3),
                ),
            ]
            for response in calls:
                assert_unavailable(response)
            during = client.post("/v1/screenings", headers=customs, json={"description": "shoe"})
            if BACKEND == "postgresql":
                assert_unavailable(during)
            else:
                # The screening writer's own connection still holds the moved file open, so
                # its row lands there and must come back with it (checked below).
                assert during.status_code == 201, during.text
            assert client.get("/healthz").status_code == 200  # the process itself is fine
        wait_ready(client)
        again = client.post("/v1/products", headers=holder, json=product_body(2))
        assert again.status_code == 201
        listed = client.get("/v1/products", headers=holder).json()["items"]
        assert {item["id"] for item in listed} == {product.json()["id"], again.json()["id"]}
        assert client.get("/v1/products", headers=late_key).status_code == 403
        after = client.post("/v1/screenings", headers=customs, json={"description": "shoe"})
        assert after.status_code == 201, after.text
        if during.status_code == 201:
            stored = client.get(f"/v1/screenings/{during.json()['id']}", headers=customs)
            assert stored.status_code == 200


def test_an_app_started_without_its_database_answers_503(tmp_path: Path) -> None:
    if BACKEND == "sqlite":
        unreachable = tmp_path / "a-folder-not-a-database"
        unreachable.mkdir()
        url = f"sqlite:///{unreachable}"
    else:
        url = make_url(POSTGRES_ADMIN_URL).set(port=_closed_port()).render_as_string(False)
    settings = TestSettings(data_dir=tmp_path / "data", database_url=url, image_workers=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()["checks"]["database"]) == (503, False)
        assert int(ready.headers["retry-after"]) >= 1
        well_formed = {"Authorization": "Bearer cm_0123456789ab_" + "x" * 43}
        assert_unavailable(client.get("/v1/products", headers=well_formed))


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends
