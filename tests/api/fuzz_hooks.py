"""Schemathesis hooks of tests/api/test_fuzz_openapi.py (loaded by `st run` via SCHEMATHESIS_HOOKS).

The OpenAPI document names formats of its own: `gtin` (digits with a GS1 check digit),
`cursor` (a `next_cursor` the service issued), `country` (ISO 3166-1 alpha-2) and
`currency` (ISO 4217), the codes in either case. Generators for them make positive
cases that are valid in fact, as a client's would be; negative cases still break the
declared type, length and pattern. NDJSON bodies go out as text.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis import strategies as st

from api.schemas.contract import country_codes, currency_codes
from catalog.core.pagination import encode_cursor


def with_check_digit(body: str) -> str:
    """A GS1 number: `body` followed by its check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


GTINS = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).map(with_check_digit)
)
CURSORS = st.uuids().map(lambda u: encode_cursor(str(u)))

schemathesis.openapi.format("gtin", GTINS)
schemathesis.openapi.format("cursor", CURSORS)
schemathesis.openapi.format("country", st.sampled_from(country_codes()))
schemathesis.openapi.format("currency", st.sampled_from(currency_codes()))


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_: schemathesis.SerializationContext, value: Any) -> bytes:
    # Negative cases send any JSON value in place of the text.
    if isinstance(value, bytes):
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


@schemathesis.hook
def filter_failure(
    _: schemathesis.HookContext, failure: Any, case: schemathesis.Case, response: Any
) -> bool:
    """Keep every failure but one documented answer: a check sent without a photo has no
    photo, and its `GET …/photo` is a 404 saying so (the operation's description states
    it). Schemathesis' resource-availability check reads any 404 after a successful
    POST /v1/checks as the check being missing."""
    if type(failure).__name__ != "EnsureResourceAvailability":
        return True
    if case.operation.label != "GET /v1/checks/{check_id}/photo":
        return True
    try:
        detail = json.loads(response.content).get("detail", "")
    except (ValueError, AttributeError):
        return True
    return not (isinstance(detail, str) and detail.endswith(" has no photo"))
