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
import itertools
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

    Fed the authorised names an index has held (`IndexHolder.parties`, which only grows
    while it is the same map), it maps the names added since the last call, so a change
    to the catalogue costs nothing here and no pass over the products is ever made. A name
    no product lists any more may stay: it is then on no list, as the pseudonym would be.
    Names sharing a pseudonym share the engine's party key, so whichever is kept compares
    alike. The pseudonym of each distinct name is computed once per process.
    """

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._pseudonyms: dict[str, str] = {}  # name as registered -> pseudonym
        self._names: dict[str, str] = {}  # pseudonym -> first authorised name with it
        self._built_for: Mapping[str, object] | None = None
        self._seen = 0  # how many of `_built_for`'s names `_names` holds

    def resolver(self, names: Mapping[str, object]) -> dict[str, str]:
        """The map for the authorised names `names` (its keys, in order; it may only grow)."""
        if self._built_for is not names:
            self._names, self._built_for, self._seen = {}, names, 0
        if len(names) > self._seen:
            self._add(itertools.islice(names, self._seen, None))
            self._seen = len(names)
        return self._names

    def _add(self, names: Iterable[str]) -> None:
        memo, out = self._pseudonyms, self._names
        for name in names:
            pseudonym = memo.get(name)
            if pseudonym is None:
                pseudonym = memo[name] = party_pseudonym(name, key=self.key)
            out.setdefault(pseudonym, name)


def authorised_parties(product: ProductRecord) -> tuple[str, ...]:
    """The trade parties a product authorises (importers, then exporters)."""
    return (*product.authorized_importers, *product.authorized_exporters)


def names_for(products: Iterable[ProductRecord], *, key: bytes) -> dict[str, str]:
    """A one-off pseudonym -> name map (rescore, whose index is rebuilt or reverted per call)."""
    resolver = PartyNames(key)
    resolver._add(name for product in products for name in authorised_parties(product))
    return resolver._names
