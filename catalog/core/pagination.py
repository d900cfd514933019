"""Opaque cursors for keyset pagination over time-ordered ids."""

from __future__ import annotations

import base64
import binascii
import json

from catalog.core.errors import Unprocessable
from catalog.products.validation import plausible_id


def encode_cursor(last_id: str) -> str:
    """A cursor that resumes after `last_id`."""
    raw = json.dumps({"after": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The id a cursor resumes after (None for the first page); 422 for a forged cursor."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise Unprocessable("the cursor is not one this service issued", slug="bad-cursor") from exc
    if not isinstance(after, str) or not plausible_id(after):
        raise Unprocessable("the cursor is not one this service issued", slug="bad-cursor")
    return after
