"""Declared-text features: counterfeit vocabulary in the description."""

from __future__ import annotations

from matchers.features.base import FeatureResult
from matchers.features.context import DeclarationContext
from matchers.vocabulary import find_terms
from matchers.weights import FeatureConfig


def counterfeit_vocabulary(ctx: DeclarationContext, config: FeatureConfig) -> FeatureResult | None:
    """The description (or brand field) uses words sellers use for fakes ("replica", "AAA")."""
    declaration = ctx.declaration
    hits = find_terms(f"{declaration.brand or ''} {declaration.description}")
    if not hits:
        return None
    shown = ", ".join(f'"{h.said}"' for h in hits[:4])
    return FeatureResult(
        name="counterfeit_vocabulary",
        value=hits[0].strength,
        detail=f"the declaration uses counterfeit vocabulary: {shown}",
    )
