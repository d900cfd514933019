"""Replay a fixed catalogue and 500 declarations over HTTP; hash the normalised screening results.

What it measures: whether a checkout screens exactly like another one. It proves a refactor
leaves screening results byte-identical: run it on the old and on the new checkout and compare
the SHA-256 it prints (or diff the two JSONL files). It is layout-independent: it never imports
the project, it only starts `countermark serve` and `countermark keys create` from the checkout
(`PYTHONPATH=<checkout> python -c "from api.cli import app; app()" ...`) and talks to the server
over real HTTP, as a client would.

Steps: a fresh temporary data dir and a server on 127.0.0.1 with one worker; an admin key from
the CLI; through the API: exchange rates, 3 rights holders and their keys, a customs key, brand
aliases, ~300 abt_buy products (brand, name, description, model, price range in EUR or USD,
authorised origins, importers and exporters, GTINs with GS1 check digits), products for the
knock-off seed's genuine brands, the 31 grocery_store products with their iconic images as
genuine references, and ukbench photos as counterfeit (and genuine) references. Then `--count`
declarations (seeded with random.Random(7)): buy.csv names that match a registered product or
not, look-alike brands, counterfeit vocabulary, prices in and far below the range, authorised
and unauthorised origins and importers, registered, foreign and invalid GTINs, grocery phone
photos as base64, ukbench copies as base64 or pHash, a few invalid items; about 10% go through
`POST /v1/screenings/batch`, the rest through `POST /v1/screenings`. Thresholds stay at their
defaults.

Each answer is normalised (`id`, `took_ms` and timestamps dropped; every product, image, rights
holder, alias, key and screening id, also inside strings, replaced by a label given in
registration order, e.g. P0017, I0003) and written as one sorted-key JSON line per declaration,
in declaration order. It prints the count, the lanes, the SHA-256 of the file and the command.

Run (about 30 s on an idle 2-core machine):
    .venv/bin/python bench/replay_identical.py --out /tmp/replay-new.jsonl
    .venv/bin/python bench/replay_identical.py --checkout /path/to/old --out /tmp/replay-old.jsonl
    cmp /tmp/replay-old.jsonl /tmp/replay-new.jsonl
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import imagehash
from PIL import Image

SCRIPT_CHECKOUT = Path(__file__).resolve().parents[1]
CLI = "from api.cli import app; app()"
SEED = 7
READY_TIMEOUT = 90.0
HTTP_TIMEOUT = 60.0
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
DROPPED_KEYS = {"id", "took_ms"}

HOLDERS = [
    ("Northwind Electronics IP B.V.", "ip@northwind.example"),
    ("Fjord Foods & Brands AB", "legal@fjord.example"),
    ("Meridian Apparel Holdings Ltd", "brand-protection@meridian.example"),
]
ORIGINS = ["JP", "CN", "MY", "TH", "VN", "KR", "US", "DE", "MX", "ID", "PH", "CZ"]
ROGUE_ORIGINS = ["CN", "TR", "AE", "HK", "PK", "BD"]
HS_CODES = ["851830", "852872", "852589", "847130", "850440", "851713", "900659", "841810"]
ROGUE_TRADERS = ["Quick Trade Ltd", "Global Best Goods Co", "Shenzhen Lucky Export", "XX Imports"]
COUNTERFEIT_WORDS = [
    "replica AAA 1:1",
    "1:1 mirror quality copy",
    "AAA grade replica",
    "high quality copy same as original",
    "super fake 1:1",
]
DECLARED_DATES = ["2025-01-15", "2025-03-03", "2025-06-30", "2025-09-12", "2025-11-27"]
NO_RATE_DATE = "2019-05-01"
FX_RATES = [  # one unit of currency = rate units of quote
    ("USD", "EUR", 0.92),
    ("EUR", "USD", 1.087),
    ("GBP", "EUR", 1.17),
    ("CNY", "EUR", 0.128),
    ("JPY", "EUR", 0.0061),
]
KNOCKOFF_PRODUCTS = {  # made-up genuine products for the knock-off seed's brands
    "Adidas": ("Ultraboost 22 running shoe", "footwear", "640411", 120.0, 180.0),
    "Nike": ("Air Zoom Pegasus 40 running shoe", "footwear", "640411", 110.0, 160.0),
    "Armani": ("Emporio Armani leather belt", "accessories", "420330", 90.0, 150.0),
    "Puma": ("Suede Classic sneaker", "footwear", "640411", 60.0, 90.0),
    "Gucci": ("GG Marmont leather shoulder bag", "handbags", "420221", 1800.0, 2600.0),
    "Uniqlo": ("Ultra Light Down jacket", "apparel", "620140", 60.0, 90.0),
    "Starbucks": ("House Blend ground coffee 250 g", "coffee", "090121", 6.0, 9.0),
    "Pringles": ("Original potato crisps 165 g", "snacks", "200520", 2.0, 3.5),
    "Red Bull": ("Energy drink 250 ml can", "beverages", "220299", 1.2, 2.0),
    "PlayStation": ("DualSense wireless controller", "gaming", "950450", 60.0, 80.0),
    "Xbox": ("Wireless controller carbon black", "gaming", "950450", 50.0, 70.0),
    "Tide": ("Original liquid laundry detergent 2 l", "household", "340250", 10.0, 16.0),
    "Kit Kat": ("4 finger milk chocolate bar", "confectionery", "180632", 0.8, 1.5),
    "Minecraft": ("Creeper plush toy 30 cm", "toys", "950300", 15.0, 25.0),
    "Star Wars": ("Millennium Falcon building set", "toys", "950300", 150.0, 180.0),
    "Dr Pepper": ("Soft drink 330 ml can", "beverages", "220210", 0.8, 1.4),
}
ALIASES = [  # (brand, alias)
    ("Panasonic", "Technics"),
    ("Samsung", "Samsung Electronics"),
    ("Adidas", "Adidas Originals"),
    ("Sony", "Sony Electronics"),
    ("Nike", "Nike Inc"),
]
GROCERY_BRANDS = {"God": "God Morgon"}
UKBENCH_COUNTERFEIT = [("ukbench00120.jpg", "Nike"), ("ukbench01380.jpg", "Adidas")]
UKBENCH_GENUINE = [("ukbench09012.jpg", "Gucci")]


# -- helpers -----------------------------------------------------------------------------------
def gs1_check_digit(body: str) -> str:
    """The GS1 check digit of a GTIN body (weights 3, 1, 3 ... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def make_gtin(holder: int, n: int) -> str:
    """A valid made-up GTIN-13: a prefix per rights holder, a running number, the check digit."""
    body = f"{761 + holder}{n:09d}"
    return body + gs1_check_digit(body)


def break_gtin(gtin: str) -> str:
    """The same GTIN with a wrong check digit."""
    return gtin[:-1] + str((int(gtin[-1]) + 3) % 10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def phash_hex(path: Path) -> str:
    with Image.open(path) as image:
        return str(imagehash.phash(image))


def read_table(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter, quoting=csv.QUOTE_NONE))


def evident_model(name: str) -> str | None:
    """The model number at the end of an abt name ("Sony Turntable - PSLX350H")."""
    tail = name.rsplit(" - ", 1)[-1].strip() if " - " in name else ""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9./-]{2,40}", tail) and re.search(r"\d", tail):
        return tail
    return None


def money(amount: float, currency: str) -> dict[str, Any]:
    return {"amount": round(amount, 2), "currency": currency}


# -- normalisation -----------------------------------------------------------------------------
class Labels:
    """Stable labels for ids (P0001, I0001 ...) and their replacement anywhere in a document."""

    def __init__(self) -> None:
        self.by_id: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.unknown = 0
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str, prefix: str) -> str:
        if value not in self.by_id:
            self.counts[prefix] += 1
            self.by_id[value] = f"{prefix}{self.counts[prefix]:04d}"
            if not re.fullmatch(UUID, value):
                self._pattern = None
        return self.by_id[value]

    def _sub(self, match: re.Match[str]) -> str:
        found = match.group(0)
        if found not in self.by_id:  # an id the script never saw registered: still stable
            self.unknown += 1
            return self.add(found, "U")
        return self.by_id[found]

    def replace(self, text: str) -> str:
        if self._pattern is None:
            # UUID-shaped ids are found by shape and looked up; any other id by its text.
            odd = [i for i in self.by_id if not re.fullmatch(UUID, i)]
            known = sorted(map(re.escape, odd), key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<![0-9A-Za-z])(?:" + "|".join([UUID, *known]) + r")(?![0-9A-Za-z])"
            )
        return self._pattern.sub(self._sub, text)


def dropped(key: str, value: Any) -> bool:
    if key in DROPPED_KEYS or key.endswith("_at") or key == "timestamp":
        return True
    return isinstance(value, str) and TIMESTAMP.fullmatch(value) is not None


def normalise(value: Any, labels: Labels) -> Any:
    """The document without ids, durations and timestamps; ids replaced by labels."""
    if isinstance(value, dict):
        return {
            labels.replace(k): normalise(v, labels) for k, v in value.items() if not dropped(k, v)
        }
    if isinstance(value, list):
        return [normalise(v, labels) for v in value]
    if isinstance(value, str):
        return labels.replace(value)
    return value


# -- the server --------------------------------------------------------------------------------
RATE_LIMIT = "1000000/second"
RATE_LIMITED_ROLES = ("CUSTOMS", "RIGHTS_HOLDER", "OFFICER", "ADMIN")


@dataclass
class Server:
    """A `countermark serve` process from a checkout, with its own data dir."""

    checkout: Path
    python: str
    port: int
    work: Path
    proc: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("COUNTERMARK_")}
        self.env = {
            **inherited,
            "PYTHONPATH": str(self.checkout),
            "COUNTERMARK_DATA_DIR": str(self.work / "data"),
            # The rate limit lifted for every role, as bench/http_screening.py does: a fast
            # machine registering or screening past 20 or 100 requests a second would get
            # 429s and stop the replay; limits change no screening result.
            **{f"COUNTERMARK_RATE_LIMIT_{role}": RATE_LIMIT for role in RATE_LIMITED_ROLES},
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.work / "server.log"

    def cli(self, *args: str) -> str:
        """Run a `countermark` command from the checkout; its stdout."""
        done = subprocess.run(
            [self.python, "-c", CLI, *args],
            env=self.env,
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise SystemExit(f"countermark {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self) -> None:
        cmd = [self.python, "-c", CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("wb") as fh:
            self.proc = subprocess.Popen(
                [*cmd, "--workers", "1"],
                env=self.env,
                cwd=self.work,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"the server was not ready within {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop the server's process group: SIGINT, then SIGKILL for whatever is left."""
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGINT)
                self.proc.wait(20)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # pool processes that outlived the server
        self.proc.wait(10)


class Api:
    """A thin HTTP client: JSON in, JSON out, an error on an unexpected status."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=HTTP_TIMEOUT)

    def call(
        self, method: str, path: str, key: str, *, expect: tuple[int, ...] = (200, 201), **kw: Any
    ) -> tuple[int, Any]:
        response = self.http.request(method, path, headers={"Authorization": f"Bearer {key}"}, **kw)
        if response.status_code not in expect:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:2000]}")
        return response.status_code, response.json() if response.content else None

    def post(self, path: str, key: str, body: Any, **kw: Any) -> Any:
        return self.call("POST", path, key, json=body, **kw)[1]


# -- the catalogue -----------------------------------------------------------------------------
@dataclass
class Product:
    """What the declarations need to know of a registered product."""

    id: str
    holder: int
    brand: str
    name: str
    price_min: float
    price_max: float
    currency: str
    origins: list[str]
    importers: list[str]
    gtins: list[str]
    abt_id: str | None = None
    grocery: str | None = None


@dataclass
class Catalogue:
    """The keys and products registered."""

    admin: str
    customs: str
    holder_ids: list[str] = field(default_factory=list)
    holder_keys: list[str] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    catalog_version: int = 0

    def by_brand(self, brand: str) -> list[Product]:
        return [p for p in self.products if p.brand == brand]


def holder_of(brand: str) -> int:
    return zlib.crc32(brand.casefold().encode("utf-8")) % len(HOLDERS)


class Registrar:
    """Registers the catalogue through the API and labels every id it gets back."""

    def __init__(self, api: Api, labels: Labels, admin: str, rng: random.Random) -> None:
        self.api, self.labels, self.rng = api, labels, rng
        self.gtin_counter = 0
        self.cat = Catalogue(admin=admin, customs="")

    def key(self, role: str, name: str, holder_id: str | None = None) -> str:
        body: dict[str, Any] = {"role": role, "name": name}
        if holder_id is not None:
            body["rights_holder_id"] = holder_id
        created = self.api.post("/v1/api-keys", self.cat.admin, body)
        self.labels.add(created["id"], "K")
        return str(created["key"])

    def holders(self) -> None:
        for i, (name, email) in enumerate(HOLDERS):
            body = {"name": name, "contact_email": email}
            holder = self.api.post("/v1/rights-holders", self.cat.admin, body)
            self.labels.add(holder["id"], "H")
            self.cat.holder_ids.append(holder["id"])
            self.cat.holder_keys.append(self.key("rights_holder", f"IP team {i}", holder["id"]))
        self.cat.customs = self.key("customs", "replay customs")

    def fx_rates(self) -> None:
        rates = [
            {
                "currency": currency,
                "quote": quote,
                "rate": rate,
                "valid_from": f"{year}-01-01",
                "valid_to": f"{year}-12-31",
            }
            for currency, quote, rate in FX_RATES
            for year in (2024, 2025, 2026)
        ]
        self.api.post("/v1/fx-rates", self.cat.admin, {"source": "replay bench", "rates": rates})

    def aliases(self) -> None:
        for brand, alias in ALIASES:
            key = self.cat.holder_keys[holder_of(brand)]
            row = self.api.post("/v1/brand-aliases", key, {"brand": brand, "alias": alias})
            self.labels.add(row["id"], "A")

    def new_gtin(self, holder: int) -> str:
        self.gtin_counter += 1
        return make_gtin(holder, self.gtin_counter)

    def product(self, body: dict[str, Any], **extra: Any) -> Product:
        holder = holder_of(body["brand"])
        created = self.api.post("/v1/products", self.cat.holder_keys[holder], body)
        self.labels.add(created["id"], "P")
        self.cat.catalog_version = max(self.cat.catalog_version, int(created["catalog_version"]))
        price = body.get("price") or {"min": 0.0, "max": 0.0, "currency": "EUR"}
        product = Product(
            id=created["id"],
            holder=holder,
            brand=body["brand"],
            name=body["name"],
            price_min=price["min"],
            price_max=price["max"],
            currency=price["currency"],
            origins=list(body.get("authorized_origins", [])),
            importers=list(body.get("authorized_importers", [])),
            gtins=list(body.get("gtins", [])),
            **extra,
        )
        self.cat.products.append(product)
        return product

    def image(self, product: Product, path: Path, kind: str) -> None:
        key = self.cat.holder_keys[product.holder]
        files = {"file": (path.name, path.read_bytes(), "image/jpeg")}
        created = self.api.post(
            f"/v1/products/{product.id}/images", key, None, files=files, data={"kind": kind}
        )
        self.labels.add(created["id"], "I")

    def abt_products(self, abt: list[dict[str, str]], count: int) -> None:
        rng = self.rng
        for row in sorted(rng.sample(abt, count), key=lambda r: int(r["id"])):
            brand = row["name"].split()[0]
            holder = holder_of(brand)
            listed = float(row["price"]) if row["price"] else 0.0
            base = listed if listed > 0 else round(rng.uniform(20, 900), 2)
            currency = "EUR" if rng.random() < 0.6 else "USD"
            origins = rng.sample(ORIGINS, rng.randint(1, 3))
            body: dict[str, Any] = {
                "brand": brand,
                "name": row["name"][:300],
                "description": row["description"][:5000],
                "category": "consumer electronics",
                "hs_codes": [rng.choice(HS_CODES)],
                "price": {
                    "min": round(base * 0.8, 2),
                    "max": round(base * 1.3, 2),
                    "currency": currency,
                },
                "authorized_origins": origins,
                "authorized_importers": [f"{brand} Europe B.V."],
                "authorized_exporters": [f"{brand} Asia Pacific Pte Ltd"],
                "valid_until": "2027-12-31" if rng.random() < 0.05 else "2099-12-31",
            }
            if rng.random() < 0.3:
                body["authorized_importers"].append("Euro Electronics Distribution GmbH")
            model = evident_model(row["name"])
            if model:
                body["model"] = model
            if rng.random() < 0.55:
                body["gtins"] = [self.new_gtin(holder)]
            self.product(body, abt_id=row["id"])

    def knockoff_products(self) -> None:
        for brand, (name, category, hs, low, high) in KNOCKOFF_PRODUCTS.items():
            holder = holder_of(brand)
            body = {
                "brand": brand,
                "name": name,
                "description": f"Genuine {brand} {name}, sold through authorised retailers",
                "category": category,
                "hs_codes": [hs],
                "price": {"min": low, "max": high, "currency": "EUR"},
                "authorized_origins": self.rng.sample(["VN", "ID", "IT", "US", "DE"], 2),
                "authorized_importers": [f"{brand} Europe Distribution"],
                "gtins": [self.new_gtin(holder)],
                "counterfeit_indicators": ["misspelt logo", "no hologram label"],
                "valid_until": "2099-12-31",
            }
            self.product(body)

    def grocery_products(self, data: Path) -> None:
        root = data / "images" / "grocery_store"
        descriptions = {r["class_name"]: r["description"] for r in read_descriptions(root)}
        iconic = sorted(
            (r["class_name"], r["local_path"]) for r in read_manifest(root) if r["kind"] == "iconic"
        )
        for class_name, local_path in iconic:
            first = class_name.split("-")[0]
            brand = GROCERY_BRANDS.get(first, first)
            name = class_name.replace("-", " ")
            low = round(self.rng.uniform(0.9, 3.5), 2)
            body = {
                "brand": brand,
                "name": name,
                "description": descriptions.get(class_name, "").strip()[:5000],
                "category": "groceries",
                "hs_codes": ["040120" if "Milk" in name else "200990"],
                "price": {"min": low, "max": round(low * 1.6, 2), "currency": "EUR"},
                "authorized_origins": self.rng.sample(["SE", "DK", "FI", "BE", "DE"], 2),
                "authorized_importers": [f"{brand} Nordic AB"],
                "gtins": [self.new_gtin(holder_of(brand))],
            }
            product = self.product(body, grocery=class_name)
            self.image(product, root / local_path, "genuine")

    def ukbench_images(self, data: Path) -> None:
        base = data / "images" / "imagededup_ukbench" / "base"
        for file, brand in UKBENCH_COUNTERFEIT:
            self.image(self.cat.by_brand(brand)[0], base / file, "counterfeit")
        for file, brand in UKBENCH_GENUINE:
            self.image(self.cat.by_brand(brand)[0], base / file, "genuine")

    def sentinel(self) -> None:
        """A last product: its catalogue version is the one the index must reach."""
        self.product(
            {"brand": "Zzyzx Replay", "name": "replay sentinel", "description": "not a product"}
        )


def read_descriptions(root: Path) -> list[dict[str, str]]:
    with (root / "descriptions.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_manifest(root: Path) -> list[dict[str, str]]:
    with (root / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# -- the declarations --------------------------------------------------------------------------
KINDS = [  # (kind, weight)
    ("true_match", 18),
    ("cheap_fake", 12),
    ("unrelated", 12),
    ("lookalike", 10),
    ("replica", 8),
    ("gtin_own", 6),
    ("gtin_other", 5),
    ("gtin_bad", 4),
    ("grocery_photo", 10),
    ("ukbench_data", 4),
    ("ukbench_phash", 5),
    ("alias", 3),
    ("invalid", 3),
]


@dataclass
class Sources:
    """The evaluation data the declarations are drawn from."""

    buy_matching: list[tuple[dict[str, str], Product]]
    buy_unrelated: list[dict[str, str]]
    knockoffs: list[tuple[str, str]]
    natural: dict[str, list[Path]]
    ukbench_copies: list[Path]
    ukbench_all: list[Path]
    corrupt: Path
    phashes: dict[Path, str]


def load_sources(data: Path, cat: Catalogue) -> Sources:
    abt_buy = data / "text" / "abt_buy"
    buy = {r["id"]: r for r in read_table(abt_buy / "buy.csv", "|")}
    by_abt = {p.abt_id: p for p in cat.products if p.abt_id is not None}
    matching, unrelated = [], []
    for pair in read_table(abt_buy / "gt.csv", "|"):
        row = buy.get(pair["D2"])
        if row is None:
            continue
        product = by_abt.get(pair["D1"])
        if product is not None:
            matching.append((row, product))
        else:
            unrelated.append(row)
    with (data / "brands" / "knockoff_names_seed.csv").open(newline="", encoding="utf-8") as fh:
        knockoffs = [
            (r["genuine_brand"], r["observed_knockoff"])
            for r in csv.DictReader(fh)
            if r["genuine_brand"] in KNOCKOFF_PRODUCTS
        ]
    grocery = data / "images" / "grocery_store"
    natural: dict[str, list[Path]] = {}
    for row in read_manifest(grocery):
        if row["kind"] == "natural":
            natural.setdefault(row["class_name"], []).append(grocery / row["local_path"])
    ukbench = data / "images" / "imagededup_ukbench"
    copies = sorted(p for p in (ukbench / "transformed").glob("*.jpg") if "corrupt" not in p.name)
    every = sorted((ukbench / "base").glob("*.jpg")) + copies
    return Sources(
        buy_matching=matching,
        buy_unrelated=unrelated,
        knockoffs=knockoffs,
        natural={k: sorted(v) for k, v in sorted(natural.items())},
        ukbench_copies=copies,
        ukbench_all=every,
        corrupt=ukbench / "transformed" / "ukbench09268_corrupt.jpg",
        phashes={p: phash_hex(p) for p in every},
    )


class Declarer:
    """Builds the declarations, deterministic for one seed, catalogue and data."""

    def __init__(self, cat: Catalogue, src: Sources, rng: random.Random) -> None:
        self.cat, self.src, self.rng = cat, src, rng
        self.abt = [p for p in cat.products if p.abt_id is not None]
        self.with_gtin = [p for p in cat.products if p.gtins and p.abt_id is not None]
        self.grocery = {p.grocery: p for p in cat.products if p.grocery}

    # price, origin, traders -------------------------------------------------------------------
    def genuine_price(self, p: Product) -> dict[str, Any]:
        amount = self.rng.uniform(p.price_min, p.price_max)
        if self.rng.random() < 0.3:  # the same price declared in the other currency
            other = "USD" if p.currency == "EUR" else "EUR"
            rate = dict(((c, q), r) for c, q, r in FX_RATES)[(p.currency, other)]
            return money(amount * rate, other)
        return money(amount, p.currency)

    def cheap_price(self, p: Product) -> dict[str, Any]:
        return money(max(p.price_min * self.rng.uniform(0.03, 0.15), 0.1), p.currency)

    def genuine_trade(self, p: Product) -> dict[str, Any]:
        out: dict[str, Any] = {"origin_country": self.rng.choice(p.origins or ["DE"])}
        if p.importers:
            out["importer"] = self.rng.choice(p.importers)
        return out

    def rogue_trade(self) -> dict[str, Any]:
        return {
            "origin_country": self.rng.choice(ROGUE_ORIGINS),
            "importer": self.rng.choice(ROGUE_TRADERS),
            "exporter": self.rng.choice(ROGUE_TRADERS),
        }

    def common(self, n: int) -> dict[str, Any]:
        rng = self.rng
        out: dict[str, Any] = {
            "reference": f"REPLAY-{n:04d}/1",
            "declared_on": NO_RATE_DATE if rng.random() < 0.04 else rng.choice(DECLARED_DATES),
            "quantity": rng.choice([1, 1, 2, 5, 12, 50, 200, 1000, 5000]),
        }
        if rng.random() < 0.3:
            out["hs_code"] = rng.choice(HS_CODES)
        if rng.random() < 0.15:
            out["consignee"] = {"name": f"Consignee {rng.randint(1, 40)}", "address": "Main St 1"}
        return out

    # kinds ------------------------------------------------------------------------------------
    def true_match(self) -> dict[str, Any]:
        row, p = self.rng.choice(self.src.buy_matching)
        return {
            "description": row["name"][:1000],
            "brand": row["name"].split()[0],
            "unit_value": self.genuine_price(p),
            **self.genuine_trade(p),
        }

    def cheap_fake(self) -> dict[str, Any]:
        row, p = self.rng.choice(self.src.buy_matching)
        text = row["name"] if self.rng.random() < 0.5 else p.name
        return {
            "description": text[:1000],
            "brand": text.split()[0],
            "unit_value": self.cheap_price(p),
            **self.rogue_trade(),
        }

    def unrelated(self) -> dict[str, Any]:
        row = self.rng.choice(self.src.buy_unrelated)
        out: dict[str, Any] = {"description": row["name"][:1000], "brand": row["name"].split()[0]}
        if row["price"] and self.rng.random() < 0.7:
            out["unit_value"] = money(float(row["price"]) or 1.0, "USD")
        out["origin_country"] = self.rng.choice(ORIGINS)
        return out

    def lookalike(self) -> dict[str, Any]:
        genuine, fake = self.rng.choice(self.src.knockoffs)
        p = self.cat.by_brand(genuine)[0]
        described = f"{fake} {p.name}".lower() if self.rng.random() < 0.6 else f"{fake} {p.name}"
        out: dict[str, Any] = {"description": described, "brand": fake}
        if self.rng.random() < 0.6:
            out["unit_value"] = self.cheap_price(p)
            out.update(self.rogue_trade())
        else:
            out["unit_value"] = self.genuine_price(p)
        return out

    def replica(self) -> dict[str, Any]:
        p = self.rng.choice([*self.abt, *self.cat.by_brand("Nike"), *self.cat.by_brand("Gucci")])
        words = self.rng.choice(COUNTERFEIT_WORDS)
        return {
            "description": f"{p.name} {words}"[:1000],
            "brand": p.brand,
            "unit_value": self.cheap_price(p) if self.rng.random() < 0.7 else self.genuine_price(p),
            **self.rogue_trade(),
        }

    def gtin_own(self) -> dict[str, Any]:
        p = self.rng.choice(self.with_gtin)
        return {
            "description": p.name,
            "brand": p.brand,
            "gtin": p.gtins[0],
            "unit_value": self.genuine_price(p),
            **self.genuine_trade(p),
        }

    def gtin_other(self) -> dict[str, Any]:
        p = self.rng.choice(self.with_gtin)
        other = self.rng.choice([q for q in self.with_gtin if q.brand != p.brand])
        return {
            "description": p.name,
            "brand": p.brand,
            "gtin": other.gtins[0],
            "unit_value": self.genuine_price(p),
            **self.rogue_trade(),
        }

    def gtin_bad(self) -> dict[str, Any]:
        p = self.rng.choice(self.with_gtin)
        return {
            "description": p.name,
            "brand": p.brand,
            "gtin": break_gtin(p.gtins[0]),
            "unit_value": self.cheap_price(p),
            **self.genuine_trade(p),
        }

    def grocery_photo(self) -> dict[str, Any]:
        class_name = self.rng.choice(sorted(self.src.natural))
        photo = self.rng.choice(self.src.natural[class_name])
        p = self.grocery.get(class_name)
        out: dict[str, Any] = {"images": [{"data": b64(photo)}]}
        style = self.rng.random()
        if p is None or style < 0.4:
            out["description"] = self.rng.choice(["dairy products", "fruit juice", "food"])
        elif style < 0.7:
            out["description"] = p.name.lower()
            out["brand"] = p.brand
            out["unit_value"] = self.genuine_price(p)
        else:
            out["description"] = f"{p.name} cheap lot"
            out["unit_value"] = self.cheap_price(p)
            out.update(self.rogue_trade())
        return out

    def ukbench_data(self) -> dict[str, Any]:
        photo = self.rng.choice(self.src.ukbench_copies)
        brand = self.rng.choice(["Nike", "Adidas", "Gucci"])
        return {
            "description": f"sports goods {brand.lower()} style",
            "brand": brand if self.rng.random() < 0.5 else None,
            "images": [{"data": b64(photo)}],
            **self.rogue_trade(),
        }

    def ukbench_phash(self) -> dict[str, Any]:
        photos = self.rng.sample(self.src.ukbench_all, self.rng.randint(1, 2))
        return {
            "description": self.rng.choice(["shoes", "handbag", "general merchandise", "parts"]),
            "images": [{"phash": self.src.phashes[p]} for p in photos],
            "unit_value": money(self.rng.uniform(1, 50), "USD"),
            **self.rogue_trade(),
        }

    def alias(self) -> dict[str, Any]:
        brand, alias = self.rng.choice(ALIASES)
        p = self.rng.choice(self.cat.by_brand(brand) or self.abt)
        words = p.name.split(maxsplit=1)
        return {
            "description": f"{alias} {words[1] if len(words) > 1 else p.name}"[:1000],
            "brand": alias,
            "unit_value": self.cheap_price(p) if self.rng.random() < 0.5 else self.genuine_price(p),
            **self.genuine_trade(p),
        }

    def invalid(self) -> dict[str, Any]:
        choice = self.rng.randrange(4)
        if choice == 0:
            return {"description": "shoes", "images": [{"data": b64(self.src.corrupt)}]}
        if choice == 1:
            return {"description": "watch", "unit_value": {"amount": 10, "currency": "ZZQ"}}
        if choice == 2:
            return {"description": "bag", "hs_code": "12", "gtin": "12ab"}
        return {"description": "", "brand": "Nike"}

    def make(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        kinds = [k for k, _ in KINDS]
        weights = [w for _, w in KINDS]
        out = []
        for n in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            body = {**self.common(n), **getattr(self, kind)()}
            out.append((kind, {k: v for k, v in body.items() if v is not None}))
        return out


def batch_plan(count: int, rng: random.Random, size: int = 5) -> list[list[int]]:
    """Groups of declaration indices in order: ~10% in batches of `size`, the rest alone."""
    starts = set(rng.sample(range(count // size), count // (size * 10)))
    plan: list[list[int]] = []
    for block in range(-(-count // size)):
        indices = list(range(block * size, min((block + 1) * size, count)))
        if block in starts:
            plan.append(indices)
        else:
            plan.extend([i] for i in indices)
    return plan


# -- running -----------------------------------------------------------------------------------
def wait_for_index(api: Api, customs: str, version: int, timeout: float = 60.0) -> None:
    """Probe until the worker's index has every registration (and its rates) applied."""
    deadline = time.monotonic() + timeout
    streak = 0
    while time.monotonic() < deadline:
        _, doc = api.call("POST", "/v1/screenings", customs, json={"description": "probe"})
        streak = streak + 1 if int(doc["catalog_version"]) >= version else 0
        if streak >= 2:
            return
        time.sleep(0.3)
    raise SystemExit(f"the index did not reach catalogue version {version} in {timeout:.0f} s")


def screen_all(
    api: Api, customs: str, decls: list[dict[str, Any]], plan: list[list[int]]
) -> list[tuple[str, int, Any]]:
    """Send every declaration; (route, status, body) per declaration, in order."""
    answers: list[tuple[str, int, Any] | None] = [None] * len(decls)
    for group in plan:
        if len(group) == 1:
            status, body = api.call(
                "POST", "/v1/screenings", customs, json=decls[group[0]], expect=(201, 422)
            )
            answers[group[0]] = ("single", status, body)
            continue
        _, body = api.call(
            "POST", "/v1/screenings/batch", customs, json={"items": [decls[i] for i in group]}
        )
        for i, entry in zip(group, body["results"], strict=True):
            answers[i] = ("batch", int(entry["status"]), entry["result"] or entry["problem"])
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkout", type=Path, default=SCRIPT_CHECKOUT, help="source checkout")
    parser.add_argument("--data", type=Path, default=None, help="default: ../shared/data")
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "replay_identical.jsonl"
    )
    parser.add_argument("--count", type=int, default=500, help="declarations to screen")
    parser.add_argument("--products", type=int, default=300, help="abt_buy products to register")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the server")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    data = (args.data or checkout.parent / "shared" / "data").resolve()
    if not ((checkout / "api" / "cli.py").exists() or (checkout / "api" / "cli").is_dir()):
        raise SystemExit(f"{checkout} is not a countermark checkout (no api/cli)")
    if not (data / "text" / "abt_buy" / "abt.csv").exists():
        raise SystemExit(f"no evaluation data in {data}")

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="cm-replay-"))
    server = Server(checkout=checkout, python=args.python, port=args.port or free_port(), work=work)
    labels = Labels()
    rng = random.Random(SEED)
    try:
        server.cli("migrate")  # commands other than migrate/serve never make a database
        admin = server.cli("keys", "create", "--role", "admin", "--name", "bench")
        admin = admin.strip().splitlines()[-1].strip()
        server.start()
        server.wait_ready()
        api = Api(server.base)
        reg = Registrar(api, labels, admin, rng)
        reg.fx_rates()
        reg.holders()
        reg.aliases()
        reg.abt_products(read_table(data / "text" / "abt_buy" / "abt.csv", "|"), args.products)
        reg.knockoff_products()
        reg.grocery_products(data)
        reg.ukbench_images(data)
        reg.sentinel()
        cat = reg.cat
        registered = time.perf_counter()
        wait_for_index(api, cat.customs, cat.catalog_version)
        decls = Declarer(cat, load_sources(data, cat), rng).make(args.count)
        plan = batch_plan(args.count, rng)
        answers = screen_all(api, cat.customs, [d for _, d in decls], plan)
        screened = time.perf_counter()
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    stopped = time.perf_counter()

    lanes: Counter[str] = Counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for n, ((kind, _), (route, status, body)) in enumerate(zip(decls, answers, strict=True)):
            if isinstance(body, dict) and isinstance(body.get("id"), str) and status == 201:
                labels.add(body["id"], "S")
            lanes[body.get("lane", "error") if status == 201 else f"http {status}"] += 1
            line = {"n": n, "kind": kind, "route": route, "status": status}
            line["body"] = normalise(body, labels)
            fh.write(json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n")
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    command = shlex.join([sys.executable, *sys.argv])
    print(f"checkout      {checkout}")
    print(f"data          {data}")
    print(f"catalogue     {len(cat.products)} products, {labels.counts['I']} images, "
          f"{labels.counts['A']} aliases, version {cat.catalog_version}")  # fmt: skip
    print(f"declarations  {len(answers)} ({sum(len(g) > 1 for g in plan)} batches)")
    print("lanes         " + ", ".join(f"{k} {lanes[k]}" for k in ("red", "yellow", "green")))
    others = sorted(k for k in lanes if k not in ("red", "yellow", "green"))
    if others:
        print("other         " + ", ".join(f"{k} {lanes[k]}" for k in others))
    if labels.unknown:
        print(f"warning       {labels.unknown} ids the script never registered (labelled U...)")
    total = time.perf_counter() - started
    print(f"time          start+register {registered - started:.1f} s, "
          f"screen {screened - registered:.1f} s, stop {stopped - screened:.1f} s, "
          f"total {total:.1f} s")  # fmt: skip
    print(f"output        {args.out}")
    print(f"sha256        {digest}")
    print(f"command       {command}")


if __name__ == "__main__":
    main()
