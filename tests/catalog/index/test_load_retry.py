"""A worker started while its database is down loads its index once the database is back.

The database is really unreachable at start: on PostgreSQL the app's URL points at a local
port where nothing listens until a TCP relay to the real server is opened there; on SQLite the
database file is missing (or, once the app made it, empty) until the migrated one is copied in.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api.app import create_app
from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.index.worker_index import IndexHolder
from tests.conftest import BACKEND, HolderFactory
from tests.e2e.kit import add_product, screening_settings


class _Relay:
    """A TCP relay from a free local port to a target, opened only when `start()` is called."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: socket.socket | None = None

    def start(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


class _Outage:
    """The test's database, unreachable under `url` until `restore()`."""

    def __init__(self, real_url: str, tmp_path: Path) -> None:
        self._relay: _Relay | None = None
        if BACKEND == "sqlite":
            self._real = Path(make_url(real_url).database or "")
            self._moved = tmp_path / "not-mounted-yet" / "countermark.db"
            self.url = f"sqlite:///{self._moved}"
        else:
            real = make_url(real_url)
            self._relay = _Relay((real.host or "127.0.0.1", real.port or 5432))
            self.url = real.set(host="127.0.0.1", port=self._relay.port).render_as_string(
                hide_password=False
            )

    def restore(self) -> None:
        if self._relay is not None:
            self._relay.start()
        else:
            self._moved.parent.mkdir(exist_ok=True)  # the app may have made it (empty)
            # The backup API copies what is still in the write-ahead log too.
            with sqlite3.connect(self._real) as src, sqlite3.connect(self._moved) as dst:
                src.backup(dst)

    def close(self) -> None:
        if self._relay is not None:
            self._relay.stop()


def _wait(predicate: Callable[[], object], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_holder_retries_until_the_database_answers(
    settings: Settings, database: Database, make_holder: HolderFactory, tmp_path: Path
) -> None:
    holder_id, _ = make_holder("Acme")
    product = add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates")
    outage = _Outage(settings.database_url, tmp_path)
    down = Database(outage.url, pool_size=1)
    holder = IndexHolder(engine=down.engine, check_interval=0.0, listen=False)
    loader = threading.Thread(
        target=holder.load_retrying, kwargs={"first_delay": 0.05, "max_delay": 0.2}, daemon=True
    )
    try:
        loader.start()
        assert _wait(lambda: holder.load_attempts >= 3, 30.0)
        assert not holder.ready
        assert holder.load_error
        outage.restore()
        loader.join(30.0)
        assert holder.ready
        assert holder.load_error is None
        assert set(holder.index.products) == {product}
    finally:
        holder.stop()
        loader.join(5.0)
        down.dispose()
        outage.close()
    assert not loader.is_alive()


def test_stop_ends_the_retries(settings: Settings, tmp_path: Path) -> None:
    outage = _Outage(settings.database_url, tmp_path)
    down = Database(outage.url, pool_size=1)
    holder = IndexHolder(engine=down.engine, check_interval=0.0, listen=False)
    result: list[bool] = []
    loader = threading.Thread(
        target=lambda: result.append(holder.load_retrying(first_delay=10.0)), daemon=True
    )
    try:
        loader.start()
        assert _wait(lambda: holder.load_attempts >= 1 and holder.load_error, 30.0)
        holder.stop()
        loader.join(5.0)
        assert result == [False]
        assert not holder.ready
    finally:
        down.dispose()
        outage.close()


def test_app_started_with_the_database_down_becomes_ready(
    settings: Settings, database: Database, make_holder: HolderFactory, tmp_path: Path
) -> None:
    holder_id, _ = make_holder("Acme")
    add_product(database, holder_id=holder_id, brand="Acme", name="Rocket skates")
    outage = _Outage(settings.database_url, tmp_path)
    app = create_app(
        screening_settings(settings, database_url=outage.url, startup_wait_seconds=0.0)
    )
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.headers["retry-after"] == str(settings.retry_after_seconds)
            assert response.json()["checks"]["index"] is False
            outage.restore()
            assert _wait(lambda: client.get("/readyz").status_code == 200, 60.0)
            checks = client.get("/readyz").json()["checks"]
            assert checks["database"] is True
            assert checks["index"] is True
    finally:
        outage.close()
