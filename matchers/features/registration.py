"""Registration feature: whether the product's registration is still in force.

A lapsed registration (valid_until before today) is still screened against, but what
it says about genuine trade (its price range, authorised origins and parties, its HS
codes) is no longer taken as evidence that a consignment is genuine: those findings
stay in the result, each saying so, with no weight (`not_counted`). The rest of its
evidence counts at `Weights.expired_factor` (see `matchers.scoring.combine`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from matchers.features.base import FeatureResult
from matchers.features.context import CandidateContext
from matchers.weights import FeatureConfig

GENUINE_TRADE = frozenset(
    {
        "price_plausible",
        "origin_authorized",
        "importer_authorized",
        "exporter_authorized",
        "hs_code_consistent",
    }
)
"""Findings that speak for genuine trade on the strength of the registration's facts."""


def registration_expired(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The registration lapsed (valid_until before today): it vouches for no genuine trade,
    and its other evidence counts at reduced weight."""
    product = ctx.product
    if product.valid_until is None or product.valid_until >= ctx.today:
        return None
    return FeatureResult(
        name="registration_expired",
        value=1.0,
        detail=f"the registration of {product.name} expired on {product.valid_until.isoformat()}, "
        "so it no longer counts as evidence of genuine trade, and its other evidence "
        "counts at reduced weight",
    )


def not_counted(results: Sequence[FeatureResult]) -> list[FeatureResult]:
    """`results` with each finding of genuine trade kept but given no weight, saying why."""
    return [
        dataclasses.replace(
            r,
            value=0.0,
            detail=f"{r.detail} (not counted: the registration has expired)",
        )
        if r.name in GENUINE_TRADE
        else r
        for r in results
    ]
