"""/docs and /redoc work offline: the pages and every asset they load come from the service."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

_REFERENCE = re.compile(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_and_its_assets_are_served_here(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"https?://", html), "the page names another host"
    assert "//" not in "".join(_REFERENCE.findall(html)), "a protocol-relative URL"
    references = set(_REFERENCE.findall(html))
    assets = {r for r in references if r.startswith("/docs/assets/")}
    assert len(assets) >= 2  # a script and a favicon at least
    assert "/openapi.json" in references
    for url in sorted(references):
        fetched = client.get(url)
        assert fetched.status_code == 200, url
        assert len(fetched.content) > 100, url


def test_docs_assets_are_typed_and_unknown_ones_are_404(client: TestClient) -> None:
    script = client.get("/docs/assets/swagger-ui-bundle.js").headers["content-type"]
    assert script.startswith("text/javascript")
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    missing = client.get("/docs/assets/..%2Fpyproject.toml")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_docs_routes_stay_out_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]
