"""What changed in the catalogue since a version: the versions query and the delta fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, select, text

from catalog.index.rows import AliasMap, iter_images, iter_products, load_aliases
from catalog.models import AuditEvent, Product, ReferenceImage
from matchers.records import ImageRecord, ProductRecord

_AUDIT = cast(Any, AuditEvent).__table__.c
_PRODUCT = cast(Any, Product).__table__.c
_IMAGE = cast(Any, ReferenceImage).__table__.c

VERSIONS_SQL = text(
    "SELECT (SELECT version FROM catalog_version WHERE id = 1),"
    " (SELECT max(id) FROM fx_rate), (SELECT max(version) FROM scoring_settings)"
)


@dataclass(frozen=True, slots=True)
class Versions:
    """The three numbers that say whether a worker's in-memory state is current."""

    catalog: int
    fx: int
    settings: int


def read_versions(conn: Connection) -> Versions:
    """Catalogue, fx and settings versions in one round trip."""
    row = conn.execute(VERSIONS_SQL).one()
    return Versions(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


@dataclass(slots=True)
class Delta:
    """What changed in the catalogue between two versions."""

    catalog_version: int
    products: list[tuple[ProductRecord, bool]] = field(default_factory=list)
    images: list[ImageRecord] = field(default_factory=list)
    gone_ids: set[str] = field(default_factory=set)
    aliases: AliasMap = field(default_factory=dict)


def fetch_delta(conn: Connection, *, since: int, known_ids: set[str]) -> Delta:
    """Products and images changed after `since`, and which `known_ids` no longer exist."""
    version = read_versions(conn).catalog
    delta = Delta(catalog_version=version, aliases=load_aliases(conn))
    delta.products = list(iter_products(conn, since_version=since))
    delta.images = list(iter_images(conn, since_version=since))
    # A product back in service (or new) brings its older images with it.
    arriving = {r.product_id for r, active in delta.products if active} - known_ids
    if arriving:
        seen = {i.image_id for i in delta.images}
        delta.images += [
            i for i in iter_images(conn, product_ids=arriving) if i.image_id not in seen
        ]
    touched = {
        str(r[0])
        for r in conn.execute(
            select(_AUDIT.entity_id).where(
                _AUDIT.catalog_version > since, _AUDIT.entity_id.is_not(None)
            )
        )
    }
    candidates = sorted(touched & known_ids)
    if candidates:
        present: set[str] = set()
        for start in range(0, len(candidates), 500):
            part = candidates[start : start + 500]
            present.update(
                str(r[0]) for r in conn.execute(select(_PRODUCT.id).where(_PRODUCT.id.in_(part)))
            )
            present.update(
                str(r[0]) for r in conn.execute(select(_IMAGE.id).where(_IMAGE.id.in_(part)))
            )
        delta.gone_ids = set(candidates) - present
    return delta
