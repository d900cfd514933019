"""A request id for every HTTP request: the caller's `X-Request-ID` when usable, else a new one.

It is echoed in the response and set in `api.logs.REQUEST_ID` so every log line
written while the request is handled carries it (by `api.middleware.edge`).
"""

from __future__ import annotations

import re
import uuid

HEADER = "x-request-id"
# A caller's id goes into logs and a header: keep it short and plain.
USABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_for(given: bytes) -> str:
    """The caller's `X-Request-ID` when usable, else a new id."""
    text = given.decode("latin-1")
    return text if USABLE.fullmatch(text) else uuid.uuid4().hex
