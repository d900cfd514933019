"""Fixtures of the API tests that serve the app over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from api.app import create_app
from catalog.core.settings import Settings

UNLIMITED = "1000000/second"


@pytest.fixture
def base_url(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on a free 127.0.0.1 port for the length of the test."""
    unlimited = {
        f"rate_limit_{role}": UNLIMITED
        for role in ("admin", "rights_holder", "customs", "officer", "bad_keys")
    }
    app = create_app(settings.model_copy(update=unlimited))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()
