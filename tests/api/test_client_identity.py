"""Client identity is the key's client id: rotations are explicit, officers see their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from catalog.core.settings import Settings
from tests.conftest import KeyFactory
from tests.e2e.kit import screening_client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has loaded its index."""
    with screening_client(settings) as test_client:
        yield test_client


def _issue(client: TestClient, admin: dict[str, str], **body: str) -> dict[str, str]:
    response = client.post("/v1/api-keys", headers=admin, json=body)
    assert response.status_code == 201, response.text
    issued: dict[str, str] = response.json()
    return issued


def _bearer(issued: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {issued['key']}"}


def test_a_rotated_key_reads_its_clients_screenings_a_namesake_does_not(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    first = _issue(client, admin_headers, role="customs", name="Port A")
    rotated = _issue(client, admin_headers, role="customs", name="Port A", rotates=first["id"])
    namesake = _issue(client, admin_headers, role="customs", name="Port A")
    made = client.post("/v1/screenings", headers=_bearer(first), json={"description": "bag"})
    url = f"/v1/screenings/{made.json()['id']}"

    assert rotated["client_id"] == first["client_id"] != namesake["client_id"]
    assert client.get(url, headers=_bearer(rotated)).status_code == 200
    assert client.get(url, headers=_bearer(namesake)).status_code == 404
    assert client.post(f"{url}/outcome", headers=_bearer(namesake),
                       json={"outcome": "genuine"}).status_code == 404  # fmt: skip


def test_rotation_keeps_the_role_and_needs_a_known_key(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    first = _issue(client, admin_headers, role="customs", name="Port A")
    wrong_role = {"role": "officer", "name": "x", "rotates": first["id"]}
    unknown = {"role": "customs", "name": "x", "rotates": "0000-unknown"}
    holder_join = {"role": "admin", "name": "x", "client_of": first["id"]}

    assert client.post("/v1/api-keys", headers=admin_headers, json=wrong_role).status_code == 422
    assert client.post("/v1/api-keys", headers=admin_headers, json=unknown).status_code == 404
    assert client.post("/v1/api-keys", headers=admin_headers, json=holder_join).status_code == 422


def test_an_officer_of_another_client_cannot_record_an_outcome(
    client: TestClient, make_key: KeyFactory
) -> None:
    customs = make_key("customs")
    made = client.post("/v1/screenings", headers=customs, json={"description": "watch"}).json()
    url = f"/v1/screenings/{made['id']}/outcome"

    stranger = client.post(url, headers=make_key("officer"), json={"outcome": "genuine"})
    read = client.get(f"/v1/screenings/{made['id']}", headers=customs).json()

    assert stranger.status_code == 404
    assert "matches" not in stranger.json()
    assert read["outcome"] is None
    assert read["outcomes"] == []


def test_outcomes_are_a_history_with_who_and_when(client: TestClient, make_key: KeyFactory) -> None:
    customs = make_key("customs")
    officer = make_key("officer", client_of=customs)
    made = client.post("/v1/screenings", headers=customs, json={"description": "watch"}).json()
    url = f"/v1/screenings/{made['id']}/outcome"

    client.post(url, headers=officer, json={"outcome": "inconclusive", "note": "first look"})
    second = client.post(url, headers=customs, json={"outcome": "counterfeit", "note": "lab"})
    read = client.get(f"/v1/screenings/{made['id']}", headers=customs).json()

    assert second.status_code == 200
    assert [(o["outcome"], o["note"]) for o in read["outcomes"]] == [
        ("inconclusive", "first look"),
        ("counterfeit", "lab"),
    ]
    assert [o["role"] for o in read["outcomes"]] == ["officer", "customs"]
    assert read["outcome"] == read["outcomes"][-1] == second.json()["outcome"]
    assert read["outcomes"][0]["recorded_at"] <= read["outcomes"][1]["recorded_at"]
