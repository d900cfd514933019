"""Declared-text features: counterfeit vocabulary in the description."""

from __future__ import annotations

from matchers.features.base import FeatureResult
from matchers.records import Declaration
from matchers.vocabulary import find_terms


def counterfeit_vocabulary(declaration: Declaration) -> FeatureResult | None:
    """The description (or brand field) uses words sellers use for fakes ("replica", "AAA")."""
    hits = find_terms(f"{declaration.brand or ''} {declaration.description}")
    if not hits:
        return None
    shown = ", ".join(f'"{h.term}"' for h in hits[:4])
    return FeatureResult(
        name="counterfeit_vocabulary",
        value=hits[0].strength,
        detail=f"the declaration uses counterfeit vocabulary: {shown}",
    )
