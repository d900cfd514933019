"""Which webhook URLs may be called: https (http by operator setting), public addresses only.

The host is resolved and every address it has is checked, at registration and
again before each delivery, so a name cannot be pointed at an internal service
later (DNS rebinding) without the next delivery being refused.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from catalog.core.errors import Unprocessable


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """The operator's rules for webhook targets."""

    allow_http: bool = False
    allow_private: bool = False


def _refuse(detail: str) -> Unprocessable:
    return Unprocessable(
        detail,
        errors=[{"loc": ["url"], "msg": detail, "type": "webhook_url_refused"}],
        slug="webhook-url-refused",
    )


def check_scheme(url: str, *, policy: UrlPolicy) -> tuple[str, int]:
    """The URL's host and port when its form is acceptable; 422 otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse(f"not a valid URL: {exc}") from exc
    schemes = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme not in schemes:
        raise _refuse(f"the URL must use {' or '.join(schemes)}")
    if not parts.hostname:
        raise _refuse("the URL has no host")
    if parts.username or parts.password:
        raise _refuse("the URL must not carry credentials")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_addresses(host: str, addresses: list[str], *, policy: UrlPolicy) -> None:
    """422 unless every address is public (or the operator allows private ones)."""
    if not addresses:
        raise _refuse(f"{host} does not resolve")
    if policy.allow_private:
        return
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not address.is_global:
            raise _refuse(f"{host} resolves to {address}, which is not a public address")


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, *, policy: UrlPolicy) -> None:
    """422 unless `url` may receive webhooks under `policy` (resolves the host)."""
    host, port = check_scheme(url, policy=policy)
    check_addresses(host, resolve(host, port), policy=policy)
