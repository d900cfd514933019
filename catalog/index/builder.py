"""Build the index snapshot in a child process, so a worker's heap never holds the build.

Building the index of a large catalogue allocates far more than the index keeps (rows,
features, the text index before it is frozen); Python keeps most of that memory after it is
freed, so a worker that built stayed hundreds of MB above one that loaded the snapshot. A
child process builds and writes the snapshot instead and exits, and the worker loads the
file like every other worker (`IndexHolder` falls back to building in-process if the child
fails). The database URL reaches the child on its stdin, never on a command line.

    python -m catalog.index.builder  < {"url": ..., "folder": ..., "key": ...}
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from catalog.index.snapshot import SnapshotStore
from catalog.models import Product

log = logging.getLogger(__name__)


def active_products(engine: Engine) -> int:
    """How many products the index would hold (a count, without reading them)."""
    with engine.connect() as conn:
        stmt = select(func.count()).where(col(Product.status) == "active")
        return int(conn.execute(stmt).scalar_one())


def build_in_child(engine: Engine, store: SnapshotStore, *, timeout: float = 3600.0) -> bool:
    """Build and write `store`'s snapshot in a child process; whether it succeeded."""
    job = {
        "url": engine.url.render_as_string(hide_password=False),
        "folder": str(store.folder),
        "key": store.key,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "catalog.index.builder"],
            input=json.dumps(job).encode(),
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("building the index snapshot in a child process failed: %s", exc)
        return False
    if done.returncode != 0:
        log.warning("building the index snapshot in a child process exited %d", done.returncode)
    return done.returncode == 0


def main() -> int:
    """The child: build the whole catalogue's index and write it as the snapshot."""
    from catalog.index.worker_index import IndexHolder

    job = json.loads(sys.stdin.read())
    engine = create_engine(job["url"])
    try:
        holder = IndexHolder(engine=engine, check_interval=0.0, listen=False)
        holder.build()
        written = holder.write_snapshot(SnapshotStore(Path(job["folder"]), key=job["key"]))
    finally:
        engine.dispose()
    return 0 if written else 1


if __name__ == "__main__":
    raise SystemExit(main())
