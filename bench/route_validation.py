"""CPU per screening body: FastAPI's old path (json.loads, then validate_python) vs validate_json.

The screening route now validates its raw body once (`api.routers.screenings.
screening_request`). Both paths get distinct bodies (never the same one twice), in
alternating chunks of 5,000, in one process; printed: the median CPU microseconds per
body (`time.process_time`) of each and their ratio. FastAPI's own body handling
around the old path (content type, error wrapping) is not counted, so the ratio
understates the saving.

    .venv/bin/python bench/route_validation.py
"""

from __future__ import annotations

import json
import statistics
import time

from pydantic import TypeAdapter

from api.routers.screenings import screening_request
from api.schemas.screening import ScreeningRequest

CHUNK, ROUNDS = 5000, 6


def _bodies(n: int) -> list[bytes]:
    return [
        json.dumps({
            "reference": f"DECL-{i}", "description": f"mens running shoes air zoom {i} white",
            "brand": "Nike", "hs_code": "640411", "quantity": 200 + i,
            "unit_value": {"amount": 4.5 + i / 100, "currency": "USD"}, "origin_country": "CN",
            "exporter": "Exporter Ltd", "importer": "Importer GmbH", "declared_on": "2026-11-27",
        }).encode()
        for i in range(n)
    ]  # fmt: skip


def main() -> None:
    """Print both medians and the ratio."""
    adapter = TypeAdapter(ScreeningRequest)
    bodies = iter(_bodies(2 * CHUNK * ROUNDS))
    old: list[float] = []
    new: list[float] = []
    for _ in range(ROUNDS):
        chunk = [next(bodies) for _ in range(CHUNK)]
        started = time.process_time()
        for body in chunk:
            adapter.validate_python(json.loads(body))
        old.append((time.process_time() - started) / CHUNK * 1e6)
        chunk = [next(bodies) for _ in range(CHUNK)]
        started = time.process_time()
        for body in chunk:
            screening_request(body, "application/json")
        new.append((time.process_time() - started) / CHUNK * 1e6)
    before, after = statistics.median(old), statistics.median(new)
    print(f"json.loads + validate_python: median {before:.1f} us CPU per body")
    print(
        f"validate_json (the route):    median {after:.1f} us CPU per body, x{after / before:.2f}"
    )


if __name__ == "__main__":
    main()
