"""Fixtures shared by the matcher tests: feature contexts and the cut-offs in force."""

from __future__ import annotations

from typing import Any

import pytest

from matchers.features.context import CandidateContext, DeclarationContext, Evidence, ProductFacts
from matchers.records import Declaration, ProductRecord
from matchers.scoring import FxRates
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig
from tests.matchers.featurekit import TODAY, Candidate, declaration, product


def _candidate(
    decl: Declaration | None = None,
    prod: ProductRecord | None = None,
    *,
    fx: FxRates | None = None,
    text_score: float = 0.0,
    text_note: str = "",
    text_lead: float = 0.0,
    facts: ProductFacts | None = None,
    **evidence: Any,
) -> CandidateContext:
    """The default declaration and product (or those given) with the given `Evidence` fields."""
    declared = DeclarationContext(
        declaration=decl or declaration(),
        fx=fx or FxRates(),
        today=TODAY,
        evidence=Evidence(**evidence),
    )
    return declared.candidate(
        prod or product(),
        text_score=text_score,
        text_note=text_note,
        text_lead=text_lead,
        facts=facts,
    )


@pytest.fixture
def candidate() -> Candidate:
    """Builds a feature context: `candidate(declaration, product, brand_hits=[...], ...)`."""
    return _candidate


@pytest.fixture
def config() -> FeatureConfig:
    """The cut-offs of the default weights."""
    return DEFAULT_WEIGHTS.config
