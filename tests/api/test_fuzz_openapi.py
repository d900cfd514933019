"""Schemathesis, every check, fuzzes every operation of the app's own OpenAPI document over HTTP.

`st run --checks all` (bounded, derandomised) as admin, rights holder, customs and
officer, against the app served by uvicorn: examples, coverage, fuzzing and stateful
phases; every response must be documented (status, content type, headers, body),
schema-valid requests accepted, schema-violating ones refused, bad keys refused with
401, nothing a 500. The formats the document names (`gtin`, `cursor`) have
generators in tests/api/fuzz_hooks.py.

Rules the document states in words because JSON Schema cannot (STATED_RULES) may
refuse a schema-valid request with 422; a test checks each is in its operation's
description. The rate limits are lifted for the run (they have tests of their own):
the coverage phase sends thousands of requests and bad keys in seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.app import create_app
from catalog.core.settings import Settings
from tests.conftest import HolderFactory, KeyFactory

REPO = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = int(os.environ.get("COUNTERMARK_FUZZ_EXAMPLES", "5"))  # per operation and phase
ACTING_HOLDER = "An admin names the rights holder it acts for in `rights_holder_id`"
STATED_RULES: dict[str, str] = {
    "POST /v1/products": ACTING_HOLDER,
    "POST /v1/products/import": ACTING_HOLDER,
    "POST /v1/brand-aliases": ACTING_HOLDER,
    "POST /v1/products/{product_id}/images": "non-image files are a 422",
    "POST /v1/checks": "The photo must be an image: other files are a 422",
    "POST /v1/screenings": "An image's `data` must be a base64-encoded image file",
    "POST /v1/webhooks": "The URL must resolve, and only to public addresses",
    "POST /v1/fx-rates": "a rate whose `valid_to` is before its `valid_from`",
    "PUT /v1/settings/scoring": "`red` must be at least `yellow`",
    "GET /v1/stats": "`since` must be before `until`",
    "POST /v1/checks/{check_id}/outcome": "must be one of this check's candidates",
    "PATCH /v1/products/{product_id}": "`price.min` must not exceed `price.max`",
    **{
        f"GET {path}": "any other cursor is refused with 422"
        for path in (
            "/v1/alerts",
            "/v1/products",
            "/v1/proposed-references",
            "/v1/rights-holders",
            "/v1/webhooks/deliveries",
        )
    },
}
# Batches answer an invalid item in place: a 200 whose entry for it says why, as their
# descriptions state. (An NDJSON import body is text: schemathesis' "not a string" is
# sent as a JSON line, i.e. an invalid row, which the import reports in its 200 answer.)
IN_PLACE: dict[str, str] = {
    "POST /v1/products/import": "bad rows are listed by line",
    "POST /v1/screenings/batch": "an invalid item as its own problem",
}
# Schemathesis' defaults, and 410: a retired product and its images (stated on each).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "410", "429", "5xx"]
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]


def _statuses(statuses: list[str]) -> str:
    return "[" + ", ".join(f'"{s}"' for s in statuses) + "]"


def config_toml() -> str:
    """The run's schemathesis.toml: the statuses the document gives to stated rules and
    batches. No check is disabled anywhere (with `--checks all` schemathesis would
    ignore it)."""
    blocks = [f"[checks.positive_data_acceptance]\nexpected-statuses = {_statuses(ACCEPTED)}\n"]
    for name in sorted(STATED_RULES.keys() | IN_PLACE.keys()):
        lines = [f'[[operations]]\ninclude-name = "{name}"']
        if name in STATED_RULES:
            statuses = _statuses([*ACCEPTED, "422"])
            lines.append(f"checks.positive_data_acceptance.expected-statuses = {statuses}")
        if name in IN_PLACE:
            statuses = _statuses([*REJECTED, "200"])
            lines.append(f"checks.negative_data_rejection.expected-statuses = {statuses}")
        blocks.append("\n".join(lines) + "\n")
    # The stateful phase (links, use after free, resource availability) sends valid data:
    # the coverage and fuzzing phases send the invalid.
    return '[phases.stateful.generation]\nmode = "positive"\n\n' + "\n".join(blocks)


def st_run(base_url: str, headers: dict[str, str], work: Path, *, examples: int) -> str:
    """`st run --checks all` against the served app; its output (the test fails unless 0)."""
    config = work / "schemathesis.toml"
    config.write_text(config_toml())
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file", str(config),
        "run", f"{base_url}/openapi.json",
        "--checks", "all",
        "--max-examples", str(examples),
        "--seed", "1",
        "--generation-deterministic",
        "--workers", "1",
        # A shared, loaded machine: a slow answer is not a failure (speed is measured in
        # bench/), so `--checks all`'s 10 s response-time limit is the request timeout.
        "--request-timeout", "60",
        "--max-response-time", "60",
        "--header", f"Authorization: {headers['Authorization']}",
        "--no-color",
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.api.fuzz_hooks",
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-60_000:]
    return output


def test_every_stated_rule_is_in_its_operation(settings: Settings) -> None:
    document = create_app(settings).openapi()
    for name, rule in [*STATED_RULES.items(), *IN_PLACE.items()]:
        method, path = name.split(" ", 1)
        operation = document["paths"][path][method.lower()]
        texts = [operation.get("description", "")]
        texts += [p.get("description", "") for p in operation.get("parameters", [])]
        for media in operation.get("requestBody", {}).get("content", {}).values():
            ref = media.get("schema", {}).get("$ref", "")
            body = document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
            texts.append(body.get("description", ""))
        assert any(rule in " ".join(t.split()) for t in texts), (name, texts)


def test_no_bound_is_published_in_pydantic_spelling(settings: Settings) -> None:
    # JSON Schema spells bounds minimum/maximum (exclusive*): `ge`/`le` mean nothing to clients.
    found: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            found.extend(f"{where}/{k}" for k in ("ge", "le", "gt", "lt") if k in node)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(create_app(settings).openapi(), "")
    assert found == []


@pytest.mark.slow
def test_fuzz_as_admin(base_url: str, make_key: KeyFactory, tmp_path: Path) -> None:
    st_run(base_url, make_key("admin", name="fuzz"), tmp_path, examples=MAX_EXAMPLES)


@pytest.mark.slow
def test_fuzz_as_rights_holder(base_url: str, make_holder: HolderFactory, tmp_path: Path) -> None:
    _, headers = make_holder("Fuzz Holder")
    st_run(base_url, headers, tmp_path, examples=MAX_EXAMPLES)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["customs", "officer"])
def test_fuzz_as_client(base_url: str, make_key: KeyFactory, role: str, tmp_path: Path) -> None:
    st_run(base_url, make_key(role, name=f"fuzz {role}"), tmp_path, examples=MAX_EXAMPLES)
