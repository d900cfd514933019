"""A `countermark serve` of any checkout on a temporary data dir, driven as a client would.

Reuses bench/replay_identical.py's Server (starts the checkout's CLI with PYTHONPATH set,
its own data dir, one worker) and Api (JSON over real HTTP). `Session` makes an admin key
with the CLI, rights holders with their keys and a customs key over HTTP, registers
products (a few in flight at once, for speed) and images, waits until the worker's index
has every registration, and screens in batches.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay_identical import Api, Server, free_port, wait_for_index


class Session:
    """One running service with its keys; a context manager that stops it and removes its data."""

    def __init__(self, checkout: Path, python: str, holders: int = 1) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="cm-bench-"))
        self.server = Server(checkout=checkout, python=python, port=free_port(), work=self.work)
        # A bench registers a whole catalogue through the API as fast as it can: the operator
        # lifts the per-key limits for it, as for a holder's bulk onboarding (rate limits are
        # tested in tests/api/test_rate_limits.py, not measured here).
        self.server.env.update(
            {
                f"COUNTERMARK_RATE_LIMIT_{role}": "1000000/second"
                for role in ("RIGHTS_HOLDER", "CUSTOMS", "OFFICER", "ADMIN")
            }
        )
        self.holders = holders
        self.holder_ids: list[str] = []
        self.holder_keys: list[str] = []
        self.customs = ""
        self.version = 0

    def __enter__(self) -> Session:
        try:
            self.server.cli("migrate")  # commands other than migrate/serve never make a database
            out = self.server.cli("keys", "create", "--role", "admin", "--name", "bench")
            self.admin = out.strip().splitlines()[-1].strip()
            self.server.start()
            self.server.wait_ready()
            self.api = Api(self.server.base)
            for n in range(self.holders):
                body = {"name": f"Bench rights holder {n}", "contact_email": f"ip{n}@bench.example"}
                holder = self.api.post("/v1/rights-holders", self.admin, body)
                self.holder_ids.append(holder["id"])
                self.holder_keys.append(self._key("rights_holder", f"holder {n}", holder["id"]))
            self.customs = self._key("customs", "bench customs")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server and remove its data dir."""
        self.server.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def _key(self, role: str, name: str, holder_id: str | None = None) -> str:
        body: dict[str, Any] = {"role": role, "name": name}
        if holder_id is not None:
            body["rights_holder_id"] = holder_id
        return str(self.api.post("/v1/api-keys", self.admin, body)["key"])

    def register(
        self, bodies: list[dict[str, Any]], holder: int = 0, threads: int = 4
    ) -> list[str]:
        """POST /v1/products for each body (in order of the answers' ids as sent); their ids."""
        key = self.holder_keys[holder]

        def one(body: dict[str, Any]) -> dict[str, Any]:
            return dict(self.api.post("/v1/products", key, body))

        with ThreadPoolExecutor(threads) as pool:
            created = list(pool.map(one, bodies))
        self.version = max([self.version, *(int(c["catalog_version"]) for c in created)])
        return [str(c["id"]) for c in created]

    def image(self, product_id: str, raw: bytes, kind: str, holder: int = 0) -> str:
        """Upload a reference image; its id."""
        files = {"file": ("reference.png", raw, "image/png")}
        created = self.api.post(
            f"/v1/products/{product_id}/images",
            self.holder_keys[holder],
            None,
            files=files,
            data={"kind": kind},
        )
        self.version = max(self.version, int(created.get("catalog_version") or 0))
        return str(created["id"])

    def settle(self) -> None:
        """Wait until the worker's index has every registration."""
        wait_for_index(self.api, self.customs, self.version, timeout=600.0)

    def screen(self, items: list[dict[str, Any]], size: int = 100) -> list[dict[str, Any]]:
        """POST /v1/screenings/batch, `size` items a call; one answer (result or problem) each."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(items), size):
            body = {"items": items[start : start + size]}
            answer = self.api.post("/v1/screenings/batch", self.customs, body)
            for entry in answer["results"]:
                if entry.get("result") is None:
                    raise SystemExit(f"a screening failed: {entry.get('problem')}")
                out.append(entry["result"])
        return out
