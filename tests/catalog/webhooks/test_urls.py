"""The operator's URL policy: scheme, credentials and every resolved address."""

from __future__ import annotations

import pytest

from catalog.core.errors import Unprocessable
from catalog.webhooks.urls import UrlPolicy, check_addresses, check_scheme

STRICT = UrlPolicy()


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.1"], ["93.184.216.34", "10.0.0.7"], ["::1"], ["169.254.169.254"], ["fd00::1"], []],
)
def test_any_private_address_refuses_the_host(addresses: list[str]) -> None:
    with pytest.raises(Unprocessable, match=r"public address|does not resolve"):
        check_addresses("hooks.example", addresses, policy=STRICT)


def test_public_addresses_pass_and_the_operator_may_allow_private() -> None:
    check_addresses("hooks.example", ["93.184.216.34", "2606:2800:220:1::1"], policy=STRICT)
    check_addresses("hooks.example", ["127.0.0.1"], policy=UrlPolicy(allow_private=True))


def test_scheme_and_port() -> None:
    assert check_scheme("https://hooks.example/x", policy=STRICT) == ("hooks.example", 443)
    with pytest.raises(Unprocessable, match="https"):
        check_scheme("http://hooks.example/x", policy=STRICT)
    allowed = UrlPolicy(allow_http=True)
    assert check_scheme("http://hooks.example:8080/x", policy=allowed) == ("hooks.example", 8080)
    with pytest.raises(Unprocessable, match="valid URL"):
        check_scheme("https://hooks.example:99999/x", policy=STRICT)
