"""Personal data of declared trade parties: keyed pseudonyms, still matchable.

Importer and exporter names are often natural persons (e-commerce), so they are
never stored in clear. On arrival each is replaced by a keyed pseudonym: HMAC-SHA-256
of the name in the engine's party normalisation (`matchers.features.trade.party_key`:
case, spaces and punctuation folded, so "Acme B.V." and "ACME BV" are one party),
under the same secret as consignee pseudonyms (`catalog.core.settings.pseudonym_secret`).

The rights holder's authorised lists are the holder's own registration and stay in
clear. To score, a stored pseudonym is mapped back to an authorised name with the same
pseudonym, if the index holds one: the engine then compares names exactly as it did
before, and live scoring and `countermark rescore` (which rebuild the declaration from
the same stored request with the same index) give byte-identical results. A pseudonym
no authorised list holds stays the pseudonym: it is not on any list, which is all the
engine needs to know. The engine's party sentences name no party.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from matchers.features.trade import party_key
from matchers.records import ProductRecord

PARTY_PREFIX = "hmac-sha256:"
PARTY_ROLES = ("importer", "exporter")


def party_pseudonym(name: str, *, key: bytes) -> str:
    """The keyed pseudonym of a trade party's name (in the engine's party normalisation)."""
    digest = hmac.new(key, party_key(name).encode("utf-8"), hashlib.sha256).hexdigest()
    return PARTY_PREFIX + digest[:32]


def is_pseudonym(value: str) -> bool:
    """Whether a stored party value is a pseudonym (rows stored before issue 9 hold names)."""
    return value.startswith(PARTY_PREFIX) and len(value) == len(PARTY_PREFIX) + 32


class PartyNames:
    """Pseudonym -> an authorised name of the index with that pseudonym.

    Rebuilt when the index or its catalogue version changes; the pseudonym of each
    distinct name is computed once per process (the key does not change), so a rebuild
    is one pass over the authorised lists.
    """

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._pseudonyms: dict[str, str] = {}  # name as registered -> pseudonym
        self._names: dict[str, str] = {}  # pseudonym -> first authorised name with it
        self._built_for: tuple[int, int] | None = None

    def resolver(self, products: Mapping[str, ProductRecord], *, version: int) -> dict[str, str]:
        """The map for an index's `products` at catalogue `version` (cached until either
        changes)."""
        if self._built_for != (id(products), version):
            self._names = self._build(products.values())
            self._built_for = (id(products), version)
        return self._names

    def _build(self, products: Iterable[ProductRecord]) -> dict[str, str]:
        names: dict[str, str] = {}
        memo = self._pseudonyms
        for product in products:
            for name in (*product.authorized_importers, *product.authorized_exporters):
                pseudonym = memo.get(name)
                if pseudonym is None:
                    pseudonym = memo[name] = party_pseudonym(name, key=self.key)
                names.setdefault(pseudonym, name)
        return names


def names_for(products: Iterable[ProductRecord], *, key: bytes) -> dict[str, str]:
    """A one-off pseudonym -> name map (rescore, whose index is rebuilt or reverted per call)."""
    return PartyNames(key)._build(products)
