"""End to end over HTTP: holders register, customs screen trade, holders see their alerts.

Everything goes through the public API with keys issued by an admin, as a real
deployment would: genuine trade passes green, each kind of counterfeit evidence
raises the lane, unrelated goods match nothing, outcomes are recorded and every
holder sees alerts on its own products only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.core.settings import Settings
from tests.e2e.kit import jpeg_base64, pattern_image, png_bytes, screening_client

PEGASUS = {
    "brand": "Nike",
    "name": "Air Zoom Pegasus 40 running shoe",
    "model": "DV3853-001",
    "gtins": ["00195866123458"],
    "description": "Road running shoe with React foam and Zoom Air units",
    "category": "footwear",
    "hs_codes": ["640411"],
    "price": {"min": 120.0, "max": 160.0, "currency": "EUR"},
    "authorized_origins": ["VN", "ID"],
    "authorized_importers": ["Nike Europe BV"],
    "authorized_exporters": ["Nike Vietnam Ltd"],
}
FALCON = {
    "brand": "LEGO",
    "name": "Star Wars Millennium Falcon building set",
    "model": "75192",
    "gtins": ["5702015869935"],
    "category": "toys",
    "hs_codes": ["950300"],
    "price": {"min": 700.0, "max": 850.0, "currency": "EUR"},
    "authorized_origins": ["DK", "HU", "CZ", "MX"],
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client once the index is loaded."""
    with screening_client(settings) as test_client:
        yield test_client


def _ok(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _key(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, str]:
    issued = _ok(client.post("/v1/api-keys", headers=admin, json=body))
    return {"Authorization": f"Bearer {issued['key']}"}


def _holder(client: TestClient, admin: dict[str, str], name: str) -> tuple[str, dict[str, str]]:
    holder = _ok(client.post("/v1/rights-holders", headers=admin, json={"name": name}))
    key = _key(
        client, admin, role="rights_holder", name=f"{name} IP", rights_holder_id=holder["id"]
    )
    return str(holder["id"]), key


def _upload(client: TestClient, key: dict[str, str], product_id: str, kind: str, seed: int) -> None:
    files = {"file": (f"{kind}.png", png_bytes(pattern_image(seed)), "image/png")}
    _ok(client.post(f"/v1/products/{product_id}/images", headers=key, files=files,
                    data={"kind": kind}))  # fmt: skip


def test_customs_screening_end_to_end(client: TestClient, admin_headers: dict[str, str]) -> None:
    admin = admin_headers
    nike_id, nike = _holder(client, admin, "Nike Inc")
    lego_id, lego = _holder(client, admin, "LEGO A/S")
    port = {"role": "customs", "name": "Port of Rotterdam customs"}
    customs_key = _ok(client.post("/v1/api-keys", headers=admin, json=port))
    customs = {"Authorization": f"Bearer {customs_key['key']}"}
    # The officer works for that customs client, so it sees (and inspects) its screenings.
    officer = _key(
        client, admin, role="officer", name="Officer Jansen", client_of=customs_key["id"]
    )
    pegasus = _ok(client.post("/v1/products", headers=nike, json=PEGASUS))["id"]
    falcon = _ok(client.post("/v1/products", headers=lego, json=FALCON))["id"]
    _upload(client, nike, pegasus, "genuine", seed=1)
    _upload(client, nike, pegasus, "counterfeit", seed=2)
    rate = {"currency": "USD", "quote": "EUR", "rate": 0.92,
            "valid_from": "2026-01-01", "valid_to": "2026-12-31"}  # fmt: skip
    _ok(client.post("/v1/fx-rates", headers=admin, json={"rates": [rate]}))

    shoe = {"description": "nike air zoom pegasus 40 mens running shoe", "brand": "Nike",
            "hs_code": "640411", "declared_on": "2026-11-27"}  # fmt: skip
    cases: dict[str, dict[str, Any]] = {
        "genuine": {**shoe, "quantity": 24, "unit_value": {"amount": 75.0, "currency": "EUR"},
                    "origin_country": "VN", "importer": "Nike Europe BV",
                    "exporter": "Nike Vietnam Ltd"},
        "lookalike": {**shoe, "description": "nikee air zoom pegasus running shoe",
                      "brand": "Nikee", "quantity": 300,
                      "unit_value": {"amount": 9.0, "currency": "USD"}, "origin_country": "CN"},
        "cheap": {**shoe, "quantity": 2, "unit_value": {"amount": 6.0, "currency": "USD"}},
        "parties": {**shoe, "quantity": 400, "origin_country": "CN",
                    "importer": "Quick Trade Ltd", "exporter": "Shenzhen Export Co"},
        "listing_photo": {"description": "mens running shoes", "quantity": 50,
                          "unit_value": {"amount": 11.0, "currency": "USD"},
                          "images": [{"data": jpeg_base64(pattern_image(1))}]},
        "known_fake": {"description": "sport shoes",
                       "images": [{"data": jpeg_base64(pattern_image(2))}]},
        "other_gtin": {**shoe, "gtin": "5702015869935", "quantity": 100,
                       "unit_value": {"amount": 20.0, "currency": "USD"}},
        "unrelated": {"description": "green tea leaves, loose, 500 g", "hs_code": "090220",
                      "quantity": 40, "unit_value": {"amount": 3.0, "currency": "EUR"}},
    }  # fmt: skip
    results = {
        name: _ok(client.post("/v1/screenings", headers=customs, json={"reference": name, **body}))
        for name, body in cases.items()
    }

    def signals(name: str) -> set[str]:
        return {s["name"] for m in results[name]["matches"] for s in m["signals"]} | {
            s["name"] for s in results[name]["signals"]
        }

    lanes = {name: r["lane"] for name, r in results.items()}
    assert lanes["genuine"] == "green", results["genuine"]
    assert results["genuine"]["verdict"] == "likely_genuine"
    assert results["genuine"]["matches"][0]["product_id"] == pegasus
    assert lanes["lookalike"] == "red", results["lookalike"]
    assert "brand_lookalike" in signals("lookalike")
    assert lanes["cheap"] in ("yellow", "red"), results["cheap"]
    assert results["cheap"]["risk"] > results["genuine"]["risk"]
    assert "price_far_below_range" in signals("cheap")
    assert lanes["parties"] in ("yellow", "red"), results["parties"]
    assert {"origin_unauthorized", "importer_not_authorized"} <= signals("parties")
    assert lanes["listing_photo"] in ("yellow", "red"), results["listing_photo"]
    assert "image_copy_of_genuine" in signals("listing_photo")
    assert lanes["known_fake"] == "red", results["known_fake"]
    assert "image_copy_of_counterfeit" in signals("known_fake")
    assert lanes["other_gtin"] == "red", results["other_gtin"]
    assert "gtin_other_brand" in signals("other_gtin")
    assert results["unrelated"]["verdict"] == "no_match"
    assert lanes["unrelated"] == "green"
    assert results["unrelated"]["matches"] == []

    # An officer inspects the cheap pair and finds a fake; customs clears the genuine trade.
    cheap_id, genuine_id = results["cheap"]["id"], results["genuine"]["id"]
    _ok(client.post(f"/v1/screenings/{cheap_id}/outcome", headers=officer,
                    json={"outcome": "counterfeit", "note": "glued sole"}), 200)  # fmt: skip
    _ok(client.post(f"/v1/screenings/{genuine_id}/outcome", headers=customs,
                    json={"outcome": "genuine"}), 200)  # fmt: skip
    assert (
        _ok(client.get(f"/v1/screenings/{cheap_id}", headers=customs), 200)["outcome"]["outcome"]
        == "counterfeit"
    )

    # Alerts: each holder sees screenings of its own products, and nothing personal.
    nike_alerts = _ok(client.get("/v1/alerts", headers=nike, params={"limit": 200}), 200)["items"]
    lego_alerts = _ok(client.get("/v1/alerts", headers=lego, params={"limit": 200}), 200)["items"]
    assert {a["product_id"] for a in nike_alerts} == {pegasus}
    assert {a["screening_id"] for a in nike_alerts} >= {cheap_id, results["known_fake"]["id"]}
    assert results["unrelated"]["id"] not in {a["screening_id"] for a in nike_alerts}
    assert {a["product_id"] for a in lego_alerts} <= {falcon}
    assert "Quick Trade" not in str(nike_alerts)
    assert client.get("/v1/alerts", headers=customs).status_code == 403
    assert nike_id != lego_id
