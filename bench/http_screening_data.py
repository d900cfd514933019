"""Synthetic catalogue and declarations for bench/http_screening.py (deterministic by seed).

Brand names come from the evaluation data's brand lists when present (real brand
vocabulary makes the brand and text indexes work as they would in production);
product names, models, GTINs and prices are generated.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

NOUNS = [
    "running shoe", "sneaker", "handbag", "wallet", "watch", "sunglasses", "t-shirt", "hoodie",
    "jacket", "cap", "perfume", "headphones", "earbuds", "phone case", "charger", "power bank",
    "backpack", "belt", "scarf", "toy set", "building kit", "razor", "shampoo", "lipstick",
]  # fmt: skip
ADJECTIVES = [
    "classic", "pro", "ultra", "lite", "sport", "premium", "mini", "max", "air", "street",
    "trail", "urban", "limited", "edition", "original", "studio", "wireless", "leather",
]  # fmt: skip
COLOURS = ["black", "white", "red", "blue", "green", "grey", "navy", "pink", "gold", "silver"]
COUNTRIES = ["VN", "ID", "CN", "IT", "FR", "DE", "US", "JP", "KR", "TH", "IN", "MX"]


def load_brands(data: Path | None, *, limit: int = 2000) -> list[str]:
    """Brand names from the evaluation data, or generated ones when it is absent."""
    names: list[str] = []
    if data is not None:
        for rel, column in (
            ("brands/interbrand_best_global_brands_2024.csv", "brand"),
            ("brands/walmart_amazon_brands.csv", "brand"),
        ):
            path = data / rel
            if path.exists():
                with path.open(newline="", encoding="utf-8") as fh:
                    names.extend(row[column].strip() for row in csv.DictReader(fh))
    seen: set[str] = set()
    unique = [n for n in names if n and not (n.casefold() in seen or seen.add(n.casefold()))]
    if len(unique) < 50:
        unique = [f"Brand{chr(65 + i % 26)}{i:04d}" for i in range(limit)]
    return unique[:limit]


def gtin13(n: int) -> str:
    """A valid GTIN-13 (check digit computed) from a running number."""
    body = f"{400000000000 + n:012d}"[-12:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def product(i: int, *, brand: str, rng: random.Random) -> dict[str, Any]:
    """One synthetic genuine product in the import format."""
    noun = rng.choice(NOUNS)
    name = f"{rng.choice(ADJECTIVES)} {noun} {rng.choice(COLOURS)} {rng.randint(1, 99)}"
    low = round(rng.uniform(15, 900), 2)
    return {
        "brand": brand,
        "name": name,
        "model": f"{brand[:2].upper()}{rng.randint(1000, 9999)}-{rng.randint(10, 999):03d}",
        "gtins": [gtin13(i)],
        "description": f"{brand} {name}, genuine {noun}",
        "category": noun,
        "hs_codes": [rng.choice(["640411", "420221", "910211", "610910", "330300", "851830"])],
        "price": {"min": low, "max": round(low * rng.uniform(1.1, 1.6), 2), "currency": "EUR"},
        "authorized_origins": rng.sample(COUNTRIES, 2),
        "authorized_importers": [f"{brand} Europe BV"],
    }


def write_catalogue(path: Path, *, count: int, brands: list[str], seed: int = 7) -> None:
    """Write `count` products as NDJSON, brands spread over the list."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            fh.write(json.dumps(product(i, brand=brands[i % len(brands)], rng=rng)) + "\n")


def declarations(catalogue: Path, *, count: int = 256, seed: int = 11) -> list[dict[str, Any]]:
    """`count` text-only declared items, no two with the same text (a cache of query texts or
    normalised strings cannot flatter the figures): near copies of distinct catalogue products
    (half of them cheap) with a declared size, and unbranded items with a lot number."""
    rng = random.Random(seed)
    with catalogue.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    picks = rng.sample(range(len(rows)), min(len(rows), count))
    out: list[dict[str, Any]] = []
    for i in range(count):
        if i % 4 == 3:
            noun, colour = rng.choice(NOUNS), rng.choice(COLOURS)
            text = f"assorted {colour} {noun} no brand lot {i:06d}"
            out.append({"description": text, "quantity": 50})
            continue
        p = rows[picks[i % len(picks)]]
        cheap = i % 2 == 0
        price = p["price"]["min"] * (0.05 if cheap else 0.6)
        size = f"size {rng.randint(1, 60)}" if i < len(picks) else f"size {i}"
        out.append(
            {
                "reference": f"BENCH-{i:06d}",
                "description": f"{p['brand'].lower()} {p['name']} {size}",
                "brand": p["brand"],
                "hs_code": p["hs_codes"][0],
                "quantity": rng.choice([1, 2, 20, 300]),
                "unit_value": {"amount": round(price, 2), "currency": "EUR"},
                "origin_country": rng.choice(COUNTRIES),
                "importer": rng.choice([p["authorized_importers"][0], "Quick Trade Ltd"]),
            }
        )
    return out
