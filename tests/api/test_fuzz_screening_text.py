"""Hypothesis over the screening request and outcome schemas: every value is a 2xx or a 4xx.

Text comes from the whole of Unicode, lone surrogates and control characters
included; the test runs on whichever backend the suite runs on (SQLite or
PostgreSQL), so each backend gets its own fuzz run. Bounded and derandomised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.core.settings import Settings
from tests.conftest import KeyFactory
from tests.e2e.kit import screening_client

HOSTILE = st.sampled_from(["\x00", "\ud800", "\udfff", "\x1f", "\x7f", "\u202e", "\ufeff"])
TEXT = st.text(st.one_of(st.characters(), HOSTILE), max_size=40)
HEXISH = st.text("0123456789abcdefABCDEFxg\x00", max_size=20)
IMAGE = st.fixed_dictionaries({}, optional={"data": TEXT, "phash": HEXISH, "colorhash": HEXISH})
REQUEST = st.fixed_dictionaries(
    {"description": TEXT},
    optional={
        "reference": TEXT,
        "brand": TEXT,
        "hs_code": TEXT,
        "gtin": TEXT,
        "exporter": TEXT,
        "importer": TEXT,
        "origin_country": TEXT,
        "consignee": st.fixed_dictionaries({}, optional={"name": TEXT, "address": TEXT}),
        "images": st.lists(IMAGE, max_size=2),
    },
)
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


def _post(client: TestClient, url: str, headers: dict[str, str], body: object) -> int:
    content = json.dumps(body).encode("ascii")  # `\u` escapes carry lone surrogates
    response = client.post(
        url, content=content, headers=headers | {"Content-Type": "application/json"}
    )
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
    return response.status_code


@FUZZ
@given(item=REQUEST, note=TEXT, reference=TEXT)
def test_any_screening_or_outcome_body_is_answered_without_a_server_error(
    client: TestClient, make_key: KeyFactory, item: dict[str, object], note: str, reference: str
) -> None:
    customs = make_key("customs")
    single = _post(client, "/v1/screenings", customs, item)
    batch = client.post(
        "/v1/screenings/batch",
        content=json.dumps({"items": [item, {"description": "watch", "reference": reference}]}),
        headers=customs | {"Content-Type": "application/json"},
    )
    made = client.post("/v1/screenings", headers=customs, json={"description": "watch"}).json()
    outcome = _post(
        client,
        f"/v1/screenings/{made['id']}/outcome",
        customs,
        {"outcome": "genuine", "note": note},
    )

    assert single in (201, 422), item
    assert batch.status_code == 200, batch.text
    assert [r["status"] in (201, 422) for r in batch.json()["results"]] == [True, True]
    assert outcome in (200, 422)
