"""PostgreSQL LISTEN: a thread that wakes the worker's index on every catalogue change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

log = logging.getLogger(__name__)
CHANNEL = "countermark_catalog"


def libpq_url(engine: Engine) -> str:
    """The engine's URL as libpq takes it (without the SQLAlchemy driver suffix)."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class ChangeListener:
    """Calls `on_change` whenever a NOTIFY arrives on the catalogue channel (and on reconnect)."""

    def __init__(self, *, engine: Engine, on_change: Callable[[], None]) -> None:
        self._url = libpq_url(engine)
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    def start(self) -> None:
        """Start listening in a daemon thread; returns once LISTEN is in place (or 5 s)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-listen", daemon=True)
            self._thread.start()
            self.listening.wait(5.0)

    def stop(self) -> None:
        """Ask the thread to stop (it notices within half a second)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(0.1)  # a daemon: it notices the flag within half a second
            self._thread = None

    def _run(self) -> None:
        import psycopg  # here: a SQLite service never imports it (~0.1 s at start)

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._on_change()  # changes may have happened while not listening
                    self.listening.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._on_change()
            except psycopg.Error:
                log.warning("catalogue LISTEN connection lost; reconnecting", exc_info=True)
                self.listening.clear()
                self._stop.wait(1.0)
