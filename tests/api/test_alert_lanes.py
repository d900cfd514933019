"""`GET /v1/alerts` lists yellow and red screenings by default and shows the latest outcome."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from catalog.core.settings import Settings
from tests.api.helpers import SUSPECT, register
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

GENUINE = {
    "description": "nike air zoom pegasus 40 running shoe", "brand": "Nike", "quantity": 2,
    "origin_country": "VN", "importer": "Nike Europe BV",
}  # fmt: skip


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


def test_green_is_left_out_unless_asked_and_outcomes_show(
    client: TestClient, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    _, nike = make_holder("Nike")
    register(client, nike)
    customs = make_key("customs")
    green = client.post("/v1/screenings", headers=customs, json=GENUINE).json()
    suspect = client.post("/v1/screenings", headers=customs, json=SUSPECT).json()
    assert green["lane"] == "green", green
    assert suspect["lane"] in ("yellow", "red"), suspect
    url = f"/v1/screenings/{suspect['id']}/outcome"
    officer = make_key("officer", client_of=customs)
    client.post(url, headers=officer, json={"outcome": "inconclusive"})
    client.post(url, headers=officer, json={"outcome": "counterfeit", "note": "Officer Jansen"})

    default = client.get("/v1/alerts", headers=nike).json()["items"]
    assert [a["screening_id"] for a in default] == [suspect["id"]]
    assert default[0]["outcome"]["outcome"] == "counterfeit"
    assert "Jansen" not in str(default)
    every = client.get("/v1/alerts", headers=nike, params={"lane": ["green", "yellow", "red"]})
    listed = {a["screening_id"]: a["outcome"] for a in every.json()["items"]}
    assert listed == {green["id"]: None, suspect["id"]: default[0]["outcome"]}
    only_green = client.get("/v1/alerts", headers=nike, params={"lane": "green"}).json()
    assert [a["screening_id"] for a in only_green["items"]] == [green["id"]]
    assert client.get("/v1/alerts", headers=nike, params={"lane": "blue"}).status_code == 422
