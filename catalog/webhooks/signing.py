"""The `Countermark-Signature` header: HMAC-SHA256 over "<unix time>.<body>".

    Countermark-Signature: t=1764590400,v1=5d41402abc4b2a76b9719d911017c592...

A receiver recomputes the HMAC with its secret over the timestamp, a dot and the
raw body bytes, compares in constant time, and refuses timestamps too far from
its clock (replays). `v1` names the scheme so a new one can be added beside it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Countermark-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that tells a secret apart, not a secret


def new_secret() -> str:
    """A fresh signing secret (shown to the rights holder once)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, *, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, *, timestamp: int, body: bytes) -> str:
    """The header value: `t=<timestamp>,v1=<hex>`."""
    return f"t={timestamp},v1={signature(secret, timestamp=timestamp, body=body)}"


def verify(
    secret: str, *, header: str, body: bytes, now: int, tolerance_seconds: int = 300
) -> bool:
    """Whether `header` signs `body` under `secret` with a timestamp within the tolerance."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > tolerance_seconds:
        return False
    expected = signature(secret, timestamp=int(stamp), body=body)
    return hmac.compare_digest(expected, given)
