"""The holder's own key for an imported row, so that a re-import updates instead of duplicating.

In order: the file's `sku` / `external_id` column (stored as `model`, today's nearest
field), else any GTIN of the row, else brand + model, else brand + name. Brand, model
and name are compared casefolded with whitespace collapsed. Only the holder's active
products are matched; a key that matches two of them is refused, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from catalog.products import repository
from catalog.products.validation import ProductData, brand_key, gtin14

SKU_COLUMNS = ("sku", "external_id")
Key = tuple[str, ...]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def sku_into_model(fields: dict[str, Any]) -> tuple[str, bool]:
    """Move a `sku` / `external_id` value into `model`, in place: (problem, whether given)."""
    given = {c: fields.pop(c) for c in SKU_COLUMNS if c in fields}
    if not given:
        return "", False
    values = set(given.values())
    if len(values) > 1 or not all(isinstance(v, str) for v in values):
        return f"{' and '.join(given)} must be one text value", True
    sku = values.pop()
    if fields.get("model") not in (None, sku):
        return (
            f"the SKU {sku!r} is stored as the model, but the row has model {fields['model']!r}",
            True,
        )
    fields["model"] = sku
    return "", True


def row_key(data: ProductData, *, by_sku: bool) -> Key:
    """The key a row is matched by (see the module docstring); GTIN keys list every GTIN."""
    if by_sku and data.model:
        return ("sku", _fold(data.model))
    if data.gtins:
        return ("gtin", *sorted(gtin14(g) for g in data.gtins))
    if data.model:
        return ("brand+model", brand_key(data.brand), _fold(data.model))
    return ("brand+name", brand_key(data.brand), _fold(data.name))


def describe(key: Key) -> str:
    """A key as a reader would write it."""
    return f"{key[0]} {' / '.join(key[1:])}"


@dataclass
class HolderKeys:
    """Where each key of one holder's active products points: key -> product ids."""

    gtins: dict[str, str]
    ids: dict[Key, list[str]] = field(default_factory=dict)
    # what earlier rows of the file claimed: key -> line, GTIN key -> line
    seen: dict[Key, int] = field(default_factory=dict)
    seen_gtins: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, *, rights_holder_id: str) -> HolderKeys:
        """The keys of every active product of the holder."""
        keys = cls(gtins=repository.all_gtins(session, rights_holder_id=rights_holder_id))
        for product_id, brand, model, name in repository.holder_key_columns(
            session, rights_holder_id=rights_holder_id
        ):
            found: list[Key] = [("brand+name", brand, _fold(name))]
            if model:
                found += [("sku", _fold(model)), ("brand+model", brand, _fold(model))]
            for key in found:
                keys.ids.setdefault(key, []).append(product_id)
        return keys

    def match(self, key: Key) -> tuple[str | None, str]:
        """The product a key names, or None for a new one; or why the row cannot be matched."""
        if key[0] == "gtin":
            owners = sorted({self.gtins[g] for g in key[1:] if g in self.gtins})
        else:
            owners = sorted(set(self.ids.get(key, ())))
        if len(owners) > 1:
            return (
                None,
                f"{describe(key)} matches {len(owners)} of your products: {', '.join(owners)}",
            )
        return (owners[0] if owners else None), ""

    def claim(self, data: ProductData, *, by_sku: bool, line: int) -> tuple[str, str | None]:
        """(problem, id of the registered product the row names, None for a new one).

        A key or GTIN an earlier row of the file claimed, or a GTIN registered to another
        of the holder's products, is a problem.
        """
        key = row_key(data, by_sku=by_sku)
        if key in self.seen:
            return f"{describe(key)} is already on line {self.seen[key]} of this file", None
        target, problem = self.match(key)
        if problem:
            return problem, None
        gtins = [gtin14(g) for g in data.gtins]
        for gtin, gkey in zip(data.gtins, gtins, strict=True):
            owner = self.gtins.get(gkey)
            if owner is not None and owner != target:
                return f"GTIN {gtin} is already registered to your product {owner}", None
            if gkey in self.seen_gtins:
                return f"GTIN {gtin} is already on line {self.seen_gtins[gkey]} of this file", None
        self.seen[key] = line
        self.seen_gtins.update(dict.fromkeys(gtins, line))
        return "", target
