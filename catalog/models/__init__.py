"""The tables (SQLModel), by concern; importing this package registers all of them for Alembic.

API schemas live apart, in `api/schemas/`. Every table shares `metadata`, which
carries the constraint naming convention set in `base`.
"""

from catalog.models.access import ApiKey, AuditEvent, CatalogVersion, IdempotencyRecord
from catalog.models.base import NAMING_CONVENTION, UtcDateTime, metadata, table_of, utcnow
from catalog.models.checks import OfficerCheck, ProposedReference
from catalog.models.history import (
    BrandAliasVersion,
    ExchangeRateVersion,
    ProductVersion,
    ReferenceImageVersion,
)
from catalog.models.learning import ShadowScore, WeightsVersion
from catalog.models.ledger import DecisionLogEntry, DecisionLogHead
from catalog.models.ownership import BrandOwner, GtinOwner
from catalog.models.privacy import Redaction
from catalog.models.products import BrandAlias, Product, ProductGtin, ReferenceImage, RightsHolder
from catalog.models.scoring import ExchangeRate, ScoringSettingsVersion
from catalog.models.screening import Screening, ScreeningHit, ScreeningOutcome
from catalog.models.webhooks import WebhookDelivery, WebhookEvent, WebhookSubscription

__all__ = [
    "NAMING_CONVENTION",
    "ApiKey",
    "AuditEvent",
    "BrandAlias",
    "BrandAliasVersion",
    "BrandOwner",
    "CatalogVersion",
    "DecisionLogEntry",
    "DecisionLogHead",
    "ExchangeRate",
    "ExchangeRateVersion",
    "GtinOwner",
    "IdempotencyRecord",
    "OfficerCheck",
    "Product",
    "ProductGtin",
    "ProductVersion",
    "ProposedReference",
    "Redaction",
    "ReferenceImage",
    "ReferenceImageVersion",
    "RightsHolder",
    "ScoringSettingsVersion",
    "Screening",
    "ScreeningHit",
    "ScreeningOutcome",
    "ShadowScore",
    "UtcDateTime",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
    "WeightsVersion",
    "metadata",
    "table_of",
    "utcnow",
]
