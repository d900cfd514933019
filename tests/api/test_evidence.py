"""Evidence packets: both views render as JSON and PDF, carry the proof, and leak nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli.main import app as cli
from catalog.access.privacy import party_pseudonym
from catalog.core.settings import Settings, pseudonym_secret
from tests.api.helpers import register
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import pattern_image, png_bytes, screening_client, screening_settings

IMPORTER, EXPORTER, CONSIGNEE = "Shady Imports Ltd", "Quick Export Co", "Jane Roe"
FEATURE = "size label stitched inside the tongue"
DECLARED = {
    "reference": "DECL-2026-000123/1",
    "description": "nike air zoom pegasus 40 running shoe replica",
    "brand": "Nike",
    "quantity": 300,
    "unit_value": {"amount": 10.0, "currency": "USD"},
    "origin_country": "CN",
    "importer": IMPORTER,
    "exporter": EXPORTER,
    "consignee": {"name": CONSIGNEE, "address": "1 Main Street"},
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client whose app has finished loading its index."""
    with screening_client(settings) as test_client:
        yield test_client


@pytest.fixture
def case(client: TestClient, make_key: KeyFactory, make_holder: HolderFactory) -> dict[str, Any]:
    """A red screening of a Nike product with a reference image; the product edited after."""
    _, holder = make_holder("Nike")
    product_id = register(client, holder, authenticity_features=[FEATURE])
    upload = client.post(
        f"/v1/products/{product_id}/images",
        files={"file": ("a.png", png_bytes(pattern_image(5)), "image/png")},
        data={"kind": "genuine"},
        headers=holder,
    )
    assert upload.status_code == 201, upload.text
    customs = make_key("customs", name="customs A")
    declared = DECLARED | {"images": [{"phash": upload.json()["hashes"]["phash"]}]}
    created = client.post("/v1/screenings", headers=customs, json=declared)
    assert created.status_code == 201, created.text
    later = {"price": {"min": 99.0, "max": 140.0, "currency": "EUR"}}
    assert client.patch(f"/v1/products/{product_id}", headers=holder, json=later).is_success
    return {
        "id": created.json()["id"],
        "holder": holder,
        "customs": customs,
        "product_id": product_id,
        "image_id": upload.json()["id"],
    }


def _get(client: TestClient, case: dict[str, Any], who: str, pdf: bool = False) -> Any:
    accept = {"Accept": "application/pdf"} if pdf else {}
    return client.get(f"/v1/screenings/{case['id']}/evidence", headers=case[who] | accept)


def test_the_rights_holder_view_has_its_facts_but_no_personal_data(
    client: TestClient, case: dict[str, Any]
) -> None:
    response = _get(client, case, "holder")
    packet = response.json()
    text = response.text

    assert response.status_code == 200
    assert packet["view"] == "rights_holder"
    assert packet["screening"]["lane"] == "red"
    assert IMPORTER not in text
    assert EXPORTER not in text
    assert CONSIGNEE not in text
    assert "hmac-sha256" not in text  # not even the consignee's pseudonym
    facts = packet["products"][0]["facts"]
    assert facts["authorized_importers"] == ["Nike Europe BV"]
    assert facts["authenticity_features"] == [FEATURE]
    assert facts["price_min"] == 120.0  # as registered then, not the later 99.0
    assert packet["products"][0]["references"][0]["thumbnail"].startswith("data:image/png")
    assert all(s["contribution"] is not None for m in packet["matches"] for s in m["signals"])
    assert packet["proof"]["position"] == 1
    assert "record" not in packet


def test_the_declarant_view_has_the_declaration_but_no_confidential_facts(
    client: TestClient, case: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    response = _get(client, case, "customs")
    packet = response.json()
    saved = tmp_path / "packet.json"
    saved.write_text(response.text)
    env = {"COUNTERMARK_DATA_DIR": str(settings.data_dir)}
    checked = CliRunner().invoke(cli, ["audit", "check-proof", str(saved)], env=env)
    saved.write_text(json.dumps(packet | {"record": packet["record"] | {"lane": "green"}}))
    tampered = CliRunner().invoke(cli, ["audit", "check-proof", str(saved)], env=env)
    record = packet["record"]
    edited = record | {"columns": record["columns"] | {"lane": "green"}}
    saved.write_text(json.dumps(packet | {"record": edited}))
    edited_lane = CliRunner().invoke(cli, ["audit", "check-proof", str(saved)], env=env)
    hits = [h | {"risk": 0.1} for h in record["hits"]]
    saved.write_text(json.dumps(packet | {"record": record | {"hits": hits}}))
    edited_hits = CliRunner().invoke(cli, ["audit", "check-proof", str(saved)], env=env)

    assert response.status_code == 200
    assert packet["view"] == "declarant"
    # The declaration as stored: the importer is personal data, kept only as its pseudonym.
    key = pseudonym_secret(screening_settings(settings))
    assert packet["declaration"]["importer"] == party_pseudonym(IMPORTER, key=key)
    assert IMPORTER not in response.text
    assert "Nike Europe BV" not in response.text
    assert FEATURE not in response.text
    assert "authorized_importers" not in packet["products"][0]["facts"]
    assert packet["versions"]["catalog_version"] >= 1
    assert checked.exit_code == 0, checked.output
    assert tampered.exit_code == 1
    assert "does not match the digest" in tampered.output
    assert record["hits"]  # the alerts rights holders got are in the digest too
    assert (edited_lane.exit_code, edited_hits.exit_code) == (1, 1)
    assert "does not match the digest" in edited_lane.output
    assert "does not match the digest" in edited_hits.output


def test_only_the_client_the_implicated_holder_and_admin_may_read(
    client: TestClient,
    case: dict[str, Any],
    make_key: KeyFactory,
    make_holder: HolderFactory,
    admin_headers: dict[str, str],
) -> None:
    _, other_holder = make_holder("Adidas")
    url = f"/v1/screenings/{case['id']}/evidence"

    assert client.get(url, headers=other_holder).status_code == 404
    assert client.get(url, headers=make_key("customs", name="customs B")).status_code == 404
    assert client.get(url, headers=admin_headers).json()["view"] == "declarant"
    chosen = client.get(url, params={"view": "rights_holder"}, headers=admin_headers).json()
    assert chosen["view"] == "rights_holder"
    assert client.get("/v1/screenings/nope/evidence", headers=admin_headers).status_code == 404


def test_both_views_render_as_pdf_with_the_proof_and_without_leaks(
    client: TestClient, case: dict[str, Any], tmp_path: Path
) -> None:
    holder_pdf = _get(client, case, "holder", pdf=True)
    declarant_pdf = _get(client, case, "customs", pdf=True)

    assert holder_pdf.headers["content-type"] == "application/pdf"
    assert holder_pdf.content.startswith(b"%PDF")
    assert declarant_pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:  # poppler-utils: the bytes are checked above
        return
    holder_text = _pdf_text(holder_pdf.content, tmp_path / "h.pdf")
    declarant_text = _pdf_text(declarant_pdf.content, tmp_path / "d.pdf")
    assert "Nike Europe BV" in holder_text
    assert IMPORTER not in holder_text
    assert IMPORTER in declarant_text
    assert "Nike Europe BV" not in declarant_text
    assert FEATURE not in declarant_text
    for text in (holder_text, declarant_text):
        assert "record hash" in text
        assert "countermark audit check-proof" in text


def _pdf_text(data: bytes, path: Path) -> str:
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def test_a_retired_product_is_gone_at_its_urls_and_kept_in_the_evidence(
    client: TestClient, case: dict[str, Any], make_holder: HolderFactory
) -> None:
    holder, customs = case["holder"], case["customs"]
    product = f"/v1/products/{case['product_id']}"
    image = f"/v1/images/{case['image_id']}"
    assert client.get(image, headers=customs).status_code == 200
    assert client.delete(product, headers=holder).json()["status"] == "retired"

    # DELETE means gone at its own URLs (RFC 9110 410), for the owner and for customs ...
    for url, who in [(product, holder), (f"{product}/images", holder), (image, holder)]:
        gone = client.get(url, headers=who)
        assert (gone.status_code, gone.headers["content-type"]) == (410, "application/problem+json")
        assert gone.json()["type"].endswith("/retired")
        assert "status=retired" in gone.json()["detail"]
    assert client.get(image, headers=customs).status_code == 410
    assert client.delete(image, headers=holder).status_code == 410
    # ... while another holder still learns nothing (404), and a repeated DELETE is a no-op.
    _, other = make_holder("Adidas")
    assert client.get(product, headers=other).status_code == 404
    assert client.delete(product, headers=holder).json()["status"] == "retired"
    # The owner still finds it in its list, and the screening's evidence keeps the record
    # and the reference image the officer saw.
    listed = client.get("/v1/products", params={"status": "retired"}, headers=holder).json()
    assert [p["id"] for p in listed["items"]] == [case["product_id"]]
    for who in ("holder", "customs"):
        packet = _get(client, case, who).json()
        reference = packet["products"][0]["references"][0]
        assert reference["thumbnail"].startswith("data:image/png"), who
