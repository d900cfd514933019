"""bench/load.py, bounded: a steady rate, then overload, then the steady rate again.

Against a real `countermark serve` (one worker, a 1,000-product catalogue registered
with `countermark import`), locust as the clients. The worker's screening slots are
made small so that a short test overloads it for sure: under overload every request
must still be answered within the clients' timeout, accepted (201) or shed (503 with
Retry-After), and once the overload stops the steady rate is served again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.http_screening_data import load_brands, write_catalogue
from bench.load import UNLIMITED, Load, run_locust, write_bodies
from catalog.core.settings import Settings
from tests.conftest import HolderFactory, KeyFactory
from tests.serving import serving

pytestmark = pytest.mark.slow

PRODUCTS = 1_000
STEADY_RPS = 4
SECONDS = 5
OVERLOADED = {
    **UNLIMITED,
    "COUNTERMARK_MAX_CONCURRENT_SCREENINGS": "2",
    "COUNTERMARK_SCREENING_WAIT_SECONDS": "0.05",
}


def _import(settings: Settings, catalogue: Path, holder_id: str) -> None:
    command = [str(Path(sys.executable).with_name("countermark")), "import", str(catalogue)]
    env = {
        "COUNTERMARK_DATABASE_URL": settings.database_url,
        "COUNTERMARK_DATA_DIR": str(settings.data_dir),
    }
    done = subprocess.run(
        [*command, "--rights-holder", holder_id],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _served_cleanly(run: dict[str, Any]) -> None:
    assert run["errors"] == 0, run  # no timeout, no status but 201, 429 or 503
    assert run["accepted"] >= 1, run


def test_overload_is_shed_not_timed_out_and_the_service_recovers(
    settings: Settings, make_holder: HolderFactory, make_key: KeyFactory, tmp_path: Path
) -> None:
    holder_id, _ = make_holder("Load Brands")
    catalogue = tmp_path / "catalogue.ndjson"
    write_catalogue(catalogue, count=PRODUCTS, brands=load_brands(None))
    _import(settings, catalogue, holder_id)
    key = make_key("customs", name="load")["Authorization"].split()[1]
    bodies = write_bodies(catalogue, tmp_path / "bodies.json", count=64)
    with serving(settings, workers=1, extra_env=OVERLOADED) as base:
        load = Load(base=base, key=key, bodies=bodies, work=tmp_path, timeout=10.0)
        run_locust(load, name="warm-up", rate=STEADY_RPS, seconds=SECONDS)
        steady = run_locust(load, name="steady", rate=STEADY_RPS, seconds=SECONDS)
        overload = run_locust(load, name="overload", rate=0, seconds=SECONDS)
        recovery = run_locust(load, name="recovery", rate=STEADY_RPS, seconds=SECONDS)
    _served_cleanly(steady)
    _served_cleanly(overload)
    assert overload["shed"] >= 1, overload  # 32 impatient clients, 2 slots: some shed
    assert overload["max_ms"] < 10_000, overload  # every accepted answer came in time
    # Recovered: the clients are answered again, none times out. (How much a steady rate
    # is shed with two slots depends on how loaded the machine is: not compared here.)
    _served_cleanly(recovery)
