"""A screening is stamped with exactly the catalogue version of the index it was scored against.

Bulk imports run in a thread while screenings go on; the refresh does not wait
(`refresh_wait_seconds=0`), so screenings arrive while a large change is applied.
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlmodel import col

from catalog.access.keys import CLI_ACTOR
from catalog.core.db import Database
from catalog.core.settings import Settings
from catalog.models import Product, Screening, ScreeningHit
from catalog.products.importing import import_rows, parse_rows
from tests.api.helpers import gtin
from tests.conftest import HolderFactory, KeyFactory
from tests.e2e.kit import screening_client

BATCHES = 4
PER_BATCH = 1200  # several apply chunks each


def _csv(batch: int) -> bytes:
    lines = ["sku,brand,name,gtins,hs_codes"]
    lines += [
        f"B{batch}-{n},Nike,Pegasus batch {batch} item {n},{_code(batch, n)},640411"
        for n in range(PER_BATCH)
    ]
    return "\n".join(lines).encode()


def _code(batch: int, n: int) -> str:
    return gtin(500_000 + batch * PER_BATCH + n)


class Importer(threading.Thread):
    """Imports the batches one after another; `batch` is the one being imported."""

    def __init__(self, database: Database, holder_id: str) -> None:
        super().__init__()
        self.database, self.holder_id = database, holder_id
        self.batch = 0
        self.created: list[int] = []

    def run(self) -> None:
        for batch in range(BATCHES):
            rows = parse_rows(_csv(batch), fmt="csv")
            self.batch = batch
            with self.database.session() as session:
                result = import_rows(session, actor=CLI_ACTOR, rights_holder_id=self.holder_id,
                                     rows=rows)  # fmt: skip
            self.created.append(result.created)


def test_every_stamp_is_the_version_the_screening_matched_against(
    settings: Settings, database: Database, make_holder: HolderFactory, make_key: KeyFactory
) -> None:
    holder_id, _ = make_holder("Nike")
    customs = make_key("customs")
    with screening_client(settings, refresh_wait_seconds=0.0) as client:
        importer = Importer(database, holder_id)
        importer.start()
        declared: dict[str, str] = {}  # screening id -> the GTIN it declared
        n = 0
        while importer.is_alive() or n < 50:
            # The batch being imported (ids grow with time: its first items are applied first)
            # and, now and then, an earlier one.
            batch = importer.batch if n % 3 else n % BATCHES
            code = _code(batch, n % 100)
            body = {"reference": f"R{n}", "description": "running shoe", "gtin": code}
            response = client.post("/v1/screenings", headers=customs, json=body)
            assert response.status_code == 201, response.text
            declared[response.json()["id"]] = code
            n += 1
        importer.join()
    assert importer.created == [PER_BATCH] * BATCHES

    with database.engine.connect() as conn:
        stamps = {
            sid: v
            for sid, v in conn.execute(select(col(Screening.id), col(Screening.catalog_version)))
        }
        hit_stmt = select(
            col(ScreeningHit.screening_id), col(Product.catalog_version), col(Product.gtins)
        ).join(Product, col(Product.id) == col(ScreeningHit.product_id))
        hits = list(conn.execute(hit_stmt))
        products = conn.execute(select(col(Product.catalog_version), col(Product.gtins)))
        created = {code: version for version, codes in products for code in codes}
    matched: dict[str, set[str]] = {sid: set() for sid in stamps}
    for sid, version, codes in hits:
        assert version <= stamps[sid], "matched a product newer than its stamp"
        matched[sid].update(codes)
    stamped = sorted(set(stamps.values()))
    assert len(stamped) >= 2, stamped  # screenings saw the catalogue change
    for sid, code in declared.items():
        # The declared product is in the index exactly when the stamp has reached its version.
        assert (code in matched[sid]) == (created[code] <= stamps[sid]), (code, stamps[sid])
