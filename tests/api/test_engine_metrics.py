"""/metrics carries the engine's figures: index state per worker, screenings, engine time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from catalog.core.settings import Settings
from tests.api.helpers import register
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import jpeg_base64, pattern_image, screening_client


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_metrics_show_the_index_screenings_and_engine_time(
    settings: Settings, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    _, holder = make_holder("Nike")
    customs = make_key("customs")
    with screening_client(settings) as client:
        register(client, holder)
        before = _samples(client)
        body = {"description": "nike air zoom pegasus 40 running shoes", "brand": "Nike",
                "images": [{"data": jpeg_base64(pattern_image(4))}]}  # fmt: skip
        answer = client.post("/v1/screenings", headers=customs, json=body)
        assert answer.status_code == 201, answer.text
        after = _samples(client)
        index = client.app.state.screening.holder  # type: ignore[attr-defined]

    result = answer.json()
    screened = (("lane", result["lane"]), ("verdict", result["verdict"]))
    key = ("countermark_screenings_total", screened)
    assert after[key] == before.get(key, 0.0) + 1
    engine_count = ("countermark_engine_seconds_count", ())
    assert after[engine_count] == before[engine_count] + 1
    assert after[("countermark_index_catalog_version", ())] == index.catalog_version
    assert after[("countermark_index_lag_versions", ())] == 0
    assert after[("countermark_index_products", ())] == len(index.index) == 1
    assert after[("countermark_index_images", ())] == 0
    assert after[("countermark_image_pool_jobs", ())] == 0  # the one image was described


WORKER = """
from catalog.index.engine_metrics import IMAGE_POOL_JOBS, record_index
from api.middleware.metrics import render_metrics
record_index(catalog_version={version}, database_version=9, products=3, images=2)
IMAGE_POOL_JOBS.inc()
if {render}:
    print(render_metrics()[0].decode())
"""


def test_each_worker_reports_its_own_index_in_multiprocess_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def worker(version: int, *, render: bool) -> str:
        code = WORKER.format(version=version, render=render)
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        return done.stdout

    worker(7, render=False)
    text = worker(9, render=True)
    versions = {
        s.labels["pid"]: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "countermark_index_catalog_version"
    }
    assert sorted(versions.values()) == [7.0, 9.0]  # one sample per worker, by pid
    assert len(versions) == 2
    lags = [s.value for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == "countermark_index_lag_versions"]  # fmt: skip
    assert sorted(lags) == [0.0, 2.0]
