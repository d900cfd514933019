"""The tables (SQLModel), by concern; importing this package registers all of them for Alembic.

API schemas live apart, in `api/schemas/`. Every table shares `metadata`, which
carries the constraint naming convention set in `base`.
"""

from catalog.models.access import ApiKey, AuditEvent, CatalogVersion, IdempotencyRecord
from catalog.models.base import NAMING_CONVENTION, UtcDateTime, metadata, utcnow
from catalog.models.checks import OfficerCheck, ProposedReference
from catalog.models.products import BrandAlias, Product, ProductGtin, ReferenceImage, RightsHolder
from catalog.models.scoring import FxRate, ScoringSettingsVersion
from catalog.models.screening import Screening, ScreeningHit, ScreeningOutcome

__all__ = [
    "NAMING_CONVENTION",
    "ApiKey",
    "AuditEvent",
    "BrandAlias",
    "CatalogVersion",
    "FxRate",
    "IdempotencyRecord",
    "OfficerCheck",
    "Product",
    "ProductGtin",
    "ProposedReference",
    "ReferenceImage",
    "RightsHolder",
    "ScoringSettingsVersion",
    "Screening",
    "ScreeningHit",
    "ScreeningOutcome",
    "UtcDateTime",
    "metadata",
    "utcnow",
]
