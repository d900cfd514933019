"""The officer page in a real headless Chromium against `countermark serve`, at phone size.

Debian's chromium is driven by Playwright (its own browser download is not used).
Screenshots at 360x740 are written to tests/e2e/artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.core.settings import Settings
from tests.api.checkkit import jpeg, phone_photo, product_fields
from tests.api.checkkit import packshot as packshot_image
from tests.conftest import HolderFactory, KeyFactory
from tests.serving import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = {"width": 360, "height": 740}
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt chromium)"),
]


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The real server, one worker, on the test's database."""
    strict = {"COUNTERMARK_INDEX_CHECK_MS": "0", "COUNTERMARK_REFRESH_WAIT_SECONDS": "60"}
    with serving(settings, workers=1, extra_env=strict) as base:
        yield base


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    """A phone-sized page of headless Chromium."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "0")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, has_touch=True)
        # A generous cap on each wait: the first check starts the server's image pools, and
        # the shared CI host can be slow; nothing here asserts on time.
        context.set_default_timeout(120_000)
        yield context.new_page()
        context.close()
        browser.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fits_a_phone(page: Any) -> None:
    """No horizontal scrolling; every visible control at least 44 px tall."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """() => [...document.querySelectorAll(`button, select, summary, .choice, .photo-button,
                 input[type=text], input[type=password]`)]
           .filter(e => e.offsetParent !== null)
           .map(e => [e.id || e.className || e.tagName, e.getBoundingClientRect().height])
           .filter(([, h]) => h < 44)"""
    )
    assert small == []


def _register(server: str, holder: dict[str, str], tmp_path: Path) -> str:
    with httpx.Client(base_url=server, headers=holder, timeout=60) as client:
        made = client.post("/v1/products", json=product_fields())
        assert made.status_code == 201, made.text
        product_id = str(made.json()["id"])
        upload = client.post(
            f"/v1/products/{product_id}/images",
            files={"file": ("p.jpg", jpeg(packshot_image(21)), "image/jpeg")},
            data={"kind": "genuine"},
        )
        assert upload.status_code == 201, upload.text
    return product_id


def _sign_in(page: Any, server: str, key: str) -> None:
    page.goto(f"{server}/officer")
    page.fill("#key", key)
    page.click("#signin-form button[type=submit]")


def test_an_officer_checks_an_item_and_records_a_fake(
    server: str,
    page: Any,
    make_key: KeyFactory,
    make_holder: HolderFactory,
    tmp_path: Path,
) -> None:
    _, holder = make_holder("Lumora SA")
    _register(server, holder, tmp_path)
    officer = make_key("officer", name="port officer")["Authorization"].removeprefix("Bearer ")
    photo = tmp_path / "item.jpg"
    photo.write_bytes(jpeg(phone_photo(21, shot=3), gps=True))

    _sign_in(page, server, "cm_000000000000_wrongwrongwrongwrongwrong")
    page.wait_for_selector("#status.error")
    assert "not accepted" in page.inner_text("#status")
    assert page.is_visible("#signin")
    _fits_a_phone(page)
    _shot(page, "1-wrong-key")

    page.fill("#key", officer)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#checker:not([hidden])")
    _fits_a_phone(page)
    _shot(page, "2-signed-in")
    page.set_input_files("#photo", str(photo))
    page.wait_for_selector("#preview:not([hidden])")
    page.click("#check-button")
    page.wait_for_selector(".candidate")
    assert "Lumora Glow face cream" in page.inner_text(".candidate .name")
    _wait_until(page, "document.querySelector('.candidate .ref').naturalWidth > 0")
    _fits_a_phone(page)
    _shot(page, "3-candidates")

    page.locator(".fake-ticks .choice").first.click()
    page.locator(".choice.bad").click()
    page.fill("#note", "seal glued, batch code printed")
    page.click("#outcome-form button[type=submit]")
    page.wait_for_selector("#status.ok")
    assert "rights holder" in page.inner_text("#status")
    _shot(page, "4-recorded")
    with httpx.Client(base_url=server, headers=holder, timeout=30) as client:
        proposed = client.get("/v1/proposed-references").json()["items"]
    assert len(proposed) == 1

    page.select_option("#lang", "fr")
    assert page.inner_text("h1") == "Contrôler un article"
    _fits_a_phone(page)


def test_an_unknown_item_and_an_unreadable_photo_say_so(
    server: str, page: Any, make_key: KeyFactory, make_holder: HolderFactory, tmp_path: Path
) -> None:
    _, holder = make_holder("Lumora SA")
    _register(server, holder, tmp_path)
    officer = make_key("officer", name="port officer")["Authorization"].removeprefix("Bearer ")
    _sign_in(page, server, officer)
    page.wait_for_selector("#checker:not([hidden])")

    unknown = tmp_path / "unknown.jpg"
    unknown.write_bytes(jpeg(phone_photo(88)))
    page.set_input_files("#photo", str(unknown))
    page.wait_for_selector("#preview:not([hidden])")
    page.fill("#text", "garden hose 20 m")
    page.click("#check-button")
    page.wait_for_selector("#nomatch:not([hidden])")
    assert page.locator(".candidate").count() == 0
    _fits_a_phone(page)
    _shot(page, "5-no-match")

    page.click("#again")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    page.set_input_files("#photo", str(broken))
    page.wait_for_selector("#status.error")
    assert "could not be read" in page.inner_text("#status")
    _shot(page, "6-unreadable-photo")

    page.context.set_offline(True)
    page.fill("#text", "face cream")
    page.click("#check-button")
    page.wait_for_selector("#status.error")
    assert "No network" in page.inner_text("#status")
    _shot(page, "7-offline")


def _wait_until(page: Any, expression: str, *, seconds: float = 60.0) -> None:
    # Polled from here, not with page.wait_for_function: its in-page polling evaluates a
    # string, which the officer page's Content-Security-Policy (no 'unsafe-eval') refuses.
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        time.sleep(0.1)
