"""The catalogue and declarations of bench/scenario.py, deterministic for one seed.

Brands are real marks that counterfeiters copy (look-alikes from the knock-off seed where it
has them, e.g. Abibas, Nkies, Cugci); products, prices, traders and GTINs are made up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from scenario_images import packaging, png, sent_again, unrelated

# brand: (rights holder, category, HS code, look-alikes, [(product line, kind, price min)])
BRANDS: dict[str, tuple[int, str, str, tuple[str, ...], list[tuple[str, str, float]]]] = {
    "Adidas": (0, "footwear", "640411", ("Abibas", "Adidoss", "Adiads"), [
        ("Ultraboost 22", "running shoe", 120.0), ("Samba OG", "leather sneaker", 90.0),
        ("Predator Edge", "football boot", 150.0)]),
    "Nike": (0, "footwear", "640411", ("Nkies", "Naike", "Niike"), [
        ("Air Zoom Pegasus 40", "running shoe", 110.0), ("Air Force 1 07", "sneaker", 100.0),
        ("Mercurial Vapor 15", "football boot", 180.0)]),
    "Puma": (0, "footwear", "640411", ("Buta", "Pumma"), [
        ("Suede Classic", "sneaker", 60.0), ("Velocity Nitro 2", "running shoe", 95.0),
        ("Future Ultimate", "football boot", 160.0)]),
    "Gucci": (1, "handbags", "420221", ("Cugci", "Guchi"), [
        ("GG Marmont", "leather shoulder bag", 1800.0), ("Jackie 1961", "hobo bag", 2400.0),
        ("Ophidia", "leather wallet", 450.0)]),
    "Armani": (1, "accessories", "420330", ("Anmani", "Armwni"), [
        ("Emporio Eagle", "leather belt", 90.0), ("Exchange Classic", "chronograph watch", 180.0),
        ("Code Parfum", "eau de parfum 75 ml", 85.0)]),
    "Rolex": (1, "watches", "910111", ("Rolax", "Roleks"), [
        ("Submariner Date 41", "automatic watch", 9500.0), ("Datejust 36", "steel watch", 7800.0),
        ("Oyster Perpetual 41", "automatic watch", 6200.0)]),
    "Chanel": (1, "cosmetics", "330300", ("Chanell", "Chamel"), [
        ("No 5", "eau de parfum 100 ml", 140.0), ("Rouge Allure", "lipstick", 42.0),
        ("Le Vernis", "nail polish", 30.0)]),
    "Sony": (2, "electronics", "851830", ("Sonny", "Soni"), [
        ("WH-1000XM5", "wireless noise cancelling headphones", 330.0),
        ("WF-1000XM4", "wireless earbuds", 210.0), ("SRS-XB13", "portable speaker", 45.0)]),
    "Samsung": (2, "electronics", "851713", ("Samsang", "Sansung"), [
        ("Galaxy Buds2 Pro", "wireless earbuds", 190.0), ("EVO Plus 256GB", "microSD card", 25.0),
        ("T7 Shield 1TB", "portable SSD", 110.0)]),
    "PlayStation": (2, "gaming", "950450", ("PolyStation", "PlayStaion"), [
        ("DualSense", "wireless controller", 60.0), ("Pulse 3D", "wireless headset", 90.0),
        ("DualSense Edge", "pro controller", 210.0)]),
    "Duracell": (2, "batteries", "850610", ("Duracel", "Duraceil"), [
        ("Plus AA 12 pack", "alkaline batteries", 9.0), ("Optimum AAA 8 pack", "batteries", 8.0),
        ("CR2032 2 pack", "lithium coin cells", 4.0)]),
    "Red Bull": (2, "beverages", "220299", ("Rid Bull", "Red Bul"), [
        ("Energy Drink 250 ml", "can", 1.2), ("Sugarfree 250 ml", "can", 1.2),
        ("Energy Drink 24 x 250 ml", "tray", 26.0)]),
}  # fmt: skip
COUNTRIES = ["VN", "ID", "IT", "DE", "FR", "ES", "JP", "KR", "MY", "TH", "US", "CH", "MX", "PT"]
ROGUE_ORIGINS = ["CN", "TR", "AE", "HK", "PK", "BD"]
ROGUE_TRADERS = [
    "Quick Trade Ltd",
    "Global Best Goods Co",
    "Shenzhen Lucky Export",
    "Star Deal FZE",
]
PARALLEL_IMPORTERS = [
    "Nordic Retail AB",
    "Baltic Outlet SIA",
    "Iberia Wholesale SL",
    "Alpen Handel GmbH",
]
NEW_FACTORIES = ["Binh Duong Footwear Co", "Jawa Barat Manufacturing", "Penang Assembly Sdn Bhd"]
VOCABULARY = [
    "replica",
    "AAA quality",
    "1:1 copy",
    "mirror quality",
    "same as original",
    "OEM copy",
]
UNRELATED = [
    ("steel hex bolts M8 x 40", "731815"), ("frozen shrimp 1 kg", "030617"),
    ("ceramic floor tiles", "690721"), ("printed paper notebooks", "482020"),
    ("garden hose 25 m", "391732"), ("office chairs with castors", "940131"),
    ("wooden pallets", "441520"), ("cotton bath towels", "630260"),
]  # fmt: skip
UNBRANDED = [  # protected kinds, no brand: (description, HS code, unit price EUR range)
    ("mens running shoes", "640411", (4.0, 15.0)), ("leather handbag", "420221", (6.0, 25.0)),
    ("wrist watch quartz", "910219", (2.0, 9.0)), ("wireless earbuds", "851830", (3.0, 10.0)),
    ("perfume 100 ml", "330300", (1.5, 6.0)), ("game controller", "950450", (4.0, 12.0)),
    ("alkaline batteries AA", "850610", (0.3, 1.5)), ("energy drink cans", "220299", (0.2, 0.6)),
    ("football boots", "640411", (5.0, 14.0)), ("leather belt", "420330", (1.0, 5.0)),
]  # fmt: skip
KINDS = {  # kind: group
    "authorised": "genuine", "parallel_import": "genuine", "new_factory": "genuine",
    "lookalike_brand": "counterfeit", "price_far_below": "counterfeit",
    "unauthorised_origin": "counterfeit", "vocabulary": "counterfeit",
    "other_brand_gtin": "counterfeit", "known_fake_photo": "counterfeit",
    "unrelated": "unrelated", "unbranded": "unbranded",
}  # fmt: skip


@dataclass
class Product:
    """A registered product: its key, rights holder and POST /v1/products body."""

    key: str
    holder: int
    body: dict[str, Any]
    photo: Any = None
    fake: Any = None
    lookalikes: tuple[str, ...] = ()


@dataclass
class Reference:
    """A reference image to register."""

    key: str
    product: str
    raw: bytes
    kind: str


@dataclass
class Catalogue:
    """Every product and reference image."""

    products: list[Product] = field(default_factory=list)
    images: list[Reference] = field(default_factory=list)


def gtin(holder: int, n: int) -> str:
    """A GS1-valid GTIN-13: a prefix per rights holder, a running number, the check digit."""
    body = f"{540 + holder}{n:09d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def build_catalogue(seed: int) -> Catalogue:
    """Products for every brand, a genuine photo each and a known fake for every third."""
    rng = random.Random(seed)
    cat = Catalogue()
    for brand, (holder, category, hs, lookalikes, lines) in BRANDS.items():
        for line, kind, low in lines:
            n = len(cat.products)
            origins = rng.sample(COUNTRIES, 3)
            body = {
                "brand": brand,
                "name": f"{brand} {line} {kind}",
                "description": f"Genuine {brand} {line} {kind}, sold through authorised retailers",
                "model": f"{brand[:2].upper()}{rng.randint(1000, 9999)}-{rng.randint(10, 99)}",
                "category": category,
                "hs_codes": [hs],
                "price": {
                    "min": low,
                    "max": round(low * rng.uniform(1.3, 1.8), 2),
                    "currency": "EUR",
                },
                "authorized_origins": origins,
                "authorized_importers": [f"{brand} Europe B.V.", "EuroBrands Distribution GmbH"],
                "authorized_exporters": [f"{brand} Asia Pacific Pte Ltd"],
                "gtins": [gtin(holder, n + 1)],
            }
            product = Product(f"P{n:03d}", holder, body, lookalikes=lookalikes)
            product.photo = packaging(f"{seed}/{n}", brand, line)
            cat.images.append(Reference(f"I{n:03d}g", product.key, png(product.photo), "genuine"))
            if n % 3 == 0:
                product.fake = packaging(f"{seed}/{n}", brand, line, fake=True)
                cat.images.append(
                    Reference(f"I{n:03d}f", product.key, png(product.fake), "counterfeit")
                )
            cat.products.append(product)
    return cat


class Declarer:
    """Declarations of every kind, drawn from one seeded generator."""

    def __init__(self, cat: Catalogue, rng: random.Random) -> None:
        self.cat, self.rng = cat, rng

    def _price(self, p: Product, low: float, high: float) -> dict[str, Any]:
        """A unit price between `low` and `high` times the genuine minimum."""
        floor = p.body["price"]["min"]
        amount = self.rng.uniform(floor * low, floor * high)
        return {"amount": round(max(amount, 0.05), 2), "currency": "EUR"}

    def _genuine_price(self, p: Product) -> dict[str, Any]:
        price = p.body["price"]
        return {"amount": round(self.rng.uniform(price["min"], price["max"]), 2), "currency": "EUR"}

    def _described(self, p: Product) -> str:
        name = p.body["name"]
        return name.lower() if self.rng.random() < 0.4 else name

    def _base(self, p: Product) -> dict[str, Any]:
        out = {
            "description": self._described(p),
            "brand": p.body["brand"],
            "declared_on": "2026-01-15",
        }
        if self.rng.random() < 0.6:
            out["hs_code"] = p.body["hs_codes"][0]
        out["quantity"] = self.rng.choice([1, 2, 10, 24, 50, 100, 200, 500])
        return out

    def _genuine(self, p: Product) -> dict[str, Any]:
        out = self._base(p) | {"unit_value": self._genuine_price(p)}
        out["origin_country"] = self.rng.choice(p.body["authorized_origins"])
        if self.rng.random() < 0.4:
            out["gtin"] = p.body["gtins"][0]
        if self.rng.random() < 0.4:
            out["images"] = [{"data": sent_again(p.photo, self.rng)}]
        return out

    def _rogue(self) -> dict[str, Any]:
        return {
            "origin_country": self.rng.choice(ROGUE_ORIGINS),
            "importer": self.rng.choice(ROGUE_TRADERS),
            "exporter": self.rng.choice(ROGUE_TRADERS),
        }

    def authorised(self, p: Product) -> dict[str, Any]:
        return self._genuine(p) | {
            "importer": self.rng.choice(p.body["authorized_importers"]),
            "exporter": p.body["authorized_exporters"][0],
        }

    def parallel_import(self, p: Product) -> dict[str, Any]:
        return self._genuine(p) | {"importer": self.rng.choice(PARALLEL_IMPORTERS)}

    def new_factory(self, p: Product) -> dict[str, Any]:
        return self._genuine(p) | {
            "importer": self.rng.choice(p.body["authorized_importers"]),
            "exporter": self.rng.choice(NEW_FACTORIES),
        }

    def lookalike_brand(self, p: Product) -> dict[str, Any]:
        fake = self.rng.choice(p.lookalikes)
        out = self._base(p) | {"unit_value": self._price(p, 0.3, 0.7), **self._rogue()}
        out["description"] = (
            out["description"]
            .replace(p.body["brand"], fake)
            .replace(p.body["brand"].lower(), fake.lower())
        )
        return out | {"brand": fake}

    def price_far_below(self, p: Product) -> dict[str, Any]:
        out = self._base(p) | {"unit_value": self._price(p, 0.03, 0.12)}
        return out | {"origin_country": self.rng.choice(p.body["authorized_origins"]),
                      "importer": self.rng.choice(ROGUE_TRADERS)}  # fmt: skip

    def unauthorised_origin(self, p: Product) -> dict[str, Any]:
        return self._base(p) | {"unit_value": self._price(p, 0.4, 0.7), **self._rogue()}

    def vocabulary(self, p: Product) -> dict[str, Any]:
        out = self._base(p) | {"unit_value": self._price(p, 0.1, 0.5), **self._rogue()}
        return out | {"description": f"{out['description']} {self.rng.choice(VOCABULARY)}"}

    def other_brand_gtin(self, p: Product) -> dict[str, Any]:
        other = self.rng.choice(
            [q for q in self.cat.products if q.body["brand"] != p.body["brand"]]
        )
        out = self._base(p) | {"unit_value": self._price(p, 0.5, 0.9), **self._rogue()}
        return out | {"gtin": other.body["gtins"][0]}

    def known_fake_photo(self, p: Product) -> dict[str, Any]:
        out = self._base(p) | {"unit_value": self._price(p, 0.4, 0.9)}
        out["origin_country"] = self.rng.choice([*p.body["authorized_origins"], *ROGUE_ORIGINS])
        return out | {"images": [{"data": sent_again(p.fake, self.rng)}]}

    def unrelated(self, n: int) -> dict[str, Any]:
        text, hs = self.rng.choice(UNRELATED)
        return {
            "description": text, "hs_code": hs, "declared_on": "2026-01-15",
            "quantity": self.rng.choice([100, 500, 2000]),
            "unit_value": {"amount": round(self.rng.uniform(0.5, 60), 2), "currency": "EUR"},
            "origin_country": self.rng.choice(COUNTRIES + ROGUE_ORIGINS),
            "images": [{"data": sent_again(unrelated(f"unrelated/{n}"), self.rng)}],
        }  # fmt: skip

    def unbranded(self, n: int) -> dict[str, Any]:
        text, hs, (low, high) = self.rng.choice(UNBRANDED)
        return {
            "description": text, "hs_code": hs, "declared_on": "2026-01-15",
            "quantity": self.rng.choice([200, 1000, 5000]),
            "unit_value": {"amount": round(self.rng.uniform(low, high), 2), "currency": "EUR"},
            **self._rogue(),
        }  # fmt: skip


def declarations(cat: Catalogue, seed: int, per_kind: int) -> list[tuple[str, dict[str, Any]]]:
    """`per_kind` declarations of every kind (three times as many genuine authorised ones)."""
    rng = random.Random(seed * 1000 + 1)
    declarer = Declarer(cat, rng)
    with_fake = [p for p in cat.products if p.fake is not None]
    out: list[tuple[str, dict[str, Any]]] = []
    for kind in KINDS:
        count = per_kind * 3 if kind == "authorised" else per_kind
        for n in range(count):
            if kind in ("unrelated", "unbranded"):
                body = getattr(declarer, kind)(n)
            else:
                pool = with_fake if kind == "known_fake_photo" else cat.products
                body = getattr(declarer, kind)(rng.choice(pool))
            out.append((kind, {"reference": f"SCN-{len(out):04d}", **body}))
    return out


HALVES = ("tuning", "held-out", "all")


def half(
    items: list[tuple[str, dict[str, Any]]], seed: int, which: str
) -> list[tuple[str, dict[str, Any]]]:
    """One seeded half of the declarations, every kind split evenly: weights are tuned on
    "tuning" and reported on "held-out" (the other half); "all" keeps every declaration."""
    if which == "all":
        return items
    rng = random.Random(seed * 1000 + 2)
    out: list[tuple[str, dict[str, Any]]] = []
    for kind in KINDS:
        mine = [item for item in items if item[0] == kind]
        chosen = set(rng.sample(range(len(mine)), len(mine) // 2))
        out.extend(m for i, m in enumerate(mine) if (i in chosen) == (which == "tuning"))
    return out
