"""What changed in the catalogue since a version: the versions query and the delta fetch."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select
from sqlmodel import col

from catalog.index.engine_records import AliasMap, iter_images, iter_products, load_aliases
from catalog.models import (
    AuditEvent,
    CatalogVersion,
    ExchangeRate,
    Product,
    ReferenceImage,
    ScoringSettingsVersion,
)
from matchers.records import ImageRecord, ProductRecord

VERSIONS = select(
    select(col(CatalogVersion.version)).where(col(CatalogVersion.id) == 1).scalar_subquery(),
    select(func.max(col(ExchangeRate.id))).scalar_subquery(),
    select(func.max(col(ScoringSettingsVersion.version))).scalar_subquery(),
)


@dataclass(frozen=True, slots=True)
class Versions:
    """The three numbers that say whether a worker's in-memory state is current."""

    catalog: int
    fx: int
    settings: int


def read_versions(conn: Connection) -> Versions:
    """Catalogue, fx and settings versions in one round trip."""
    row = conn.execute(VERSIONS).one()
    return Versions(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


@dataclass(slots=True)
class Delta:
    """What changed in the catalogue between two versions."""

    catalog_version: int
    products: list[tuple[ProductRecord, bool]] = field(default_factory=list)
    images: list[ImageRecord] = field(default_factory=list)
    gone_ids: set[str] = field(default_factory=set)
    aliases: AliasMap = field(default_factory=dict)


def fetch_delta(conn: Connection, *, since: int, known_ids: Container[str]) -> Delta:
    """Products and images changed after `since`, and which `known_ids` no longer exist.

    Only changes up to the version read first are taken: a change committed while the
    delta is read belongs to the next one, so the delta is the catalogue at its version.
    """
    version = read_versions(conn).catalog
    delta = Delta(catalog_version=version, aliases=load_aliases(conn))
    delta.products = list(iter_products(conn, since_version=since, until_version=version))
    delta.images = list(iter_images(conn, since_version=since, until_version=version))
    # A product back in service (or new) brings its older images with it.
    arriving = {
        r.product_id for r, active in delta.products if active and r.product_id not in known_ids
    }
    if arriving:
        seen = {i.image_id for i in delta.images}
        delta.images += [
            i
            for i in iter_images(conn, until_version=version, product_ids=arriving)
            if i.image_id not in seen
        ]
    touched = {
        str(r[0])
        for r in conn.execute(
            select(col(AuditEvent.entity_id)).where(
                col(AuditEvent.catalog_version) > since,
                col(AuditEvent.catalog_version) <= version,
                col(AuditEvent.entity_id).is_not(None),
            )
        )
    }
    candidates = sorted(t for t in touched if t in known_ids)
    if candidates:
        present: set[str] = set()
        for start in range(0, len(candidates), 500):
            part = candidates[start : start + 500]
            present.update(
                str(r[0])
                for r in conn.execute(select(col(Product.id)).where(col(Product.id).in_(part)))
            )
            present.update(
                str(r[0])
                for r in conn.execute(
                    select(col(ReferenceImage.id)).where(col(ReferenceImage.id).in_(part))
                )
            )
        delta.gone_ids = set(candidates) - present
    return delta
