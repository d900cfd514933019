"""The officer page is served whole by the service: no CDN, every word in the messages file."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_page_and_its_assets_come_from_the_service(client: TestClient) -> None:
    page = client.get("/officer")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'capture="environment"' in page.text
    assert 'accept="image/*"' in page.text
    for asset in re.findall(r'(?:href|src)="(/officer/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset
    bodies = [page.text] + [
        client.get(f"/officer/{name}").text for name in ("officer.js", "officer.css")
    ]
    for body in bodies:
        assert not re.search(r"(?:src|href)=\"https?://|url\(https?:|//cdn", body)
    missing = client.get("/officer/../app.py")
    assert missing.status_code == 404
    assert (
        client.get("/officer/secrets.txt")
        .headers["content-type"]
        .startswith("application/problem+json")
    )


def test_every_word_has_an_english_and_a_french_message(client: TestClient) -> None:
    messages = client.get("/officer/messages.json").json()
    assert set(messages) == {"en", "fr"}
    assert set(messages["en"]) == set(messages["fr"])
    page = client.get("/officer").text
    script = client.get("/officer/officer.js").text
    used = set(re.findall(r'data-i18n="(\w+)"', page))
    used |= set(re.findall(r'(?<![\w.])(?:say|t)\("(\w+)"', script))
    used |= set(re.findall(r'return "(\w+)"', script))
    assert used <= set(messages["en"]), used - set(messages["en"])
