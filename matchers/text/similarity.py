"""Pairwise product-text similarity: token-set ratio, IDF-weighted token overlap, model numbers."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

from rapidfuzz import fuzz

# Document frequency -> weight. Independent of the catalogue size on purpose: adding an
# unrelated product must not change the score of any other product for a query.
_IDF_SCALE = 100_000.0


def idf(df: int) -> float:
    """Weight of a token or n-gram seen in `df` documents (rarer is heavier)."""
    return math.log1p(_IDF_SCALE / max(df, 1))


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """What the similarity needs of one side: normalised text, tokens, model numbers."""

    text: str
    tokens: frozenset[str]
    models: frozenset[str]


@dataclass(frozen=True, slots=True)
class SimilarityWeights:
    """How the parts of the similarity combine (tuned on train/valid data, see bench)."""

    token_set: float = 0.35
    weighted_overlap: float = 0.45
    trigram: float = 0.2
    model_match: float = 0.6
    model_conflict: float = 0.75
    prefilter: int = 40


DEFAULT_SIMILARITY = SimilarityWeights()


def weighted_overlap(
    query: Collection[str], doc: Collection[str], weight: Callable[[str], float]
) -> float:
    """IDF-weighted Dice overlap of two token sets, in [0, 1]."""
    if not query or not doc:
        return 0.0
    shared = sum(weight(t) for t in query if t in doc)
    total = sum(weight(t) for t in query) + sum(weight(t) for t in doc)
    return 2.0 * shared / total if total > 0 else 0.0


def models_agree(query: frozenset[str], doc: frozenset[str], doc_tokens: frozenset[str]) -> bool:
    """Whether a model number of the query appears in the document (as a model or inside one)."""
    for m in query:
        if m in doc:
            return True
        # "pslx350h" vs "pslx350hblack"/"ps-lx350h": containment of a long, specific code.
        if len(m) >= 5 and any(m in d or (len(d) >= 5 and d in m) for d in doc):
            return True
        if m in doc_tokens:
            return True
    return False


def combine(
    query: TextFeatures,
    doc: TextFeatures,
    *,
    token_set: float,
    trigram: float,
    weight: Callable[[str], float],
    weights: SimilarityWeights = DEFAULT_SIMILARITY,
) -> float:
    """Similarity in [0, 1] from the token-set ratio and trigram coverage (both in [0, 1])."""
    overlap = weighted_overlap(query.tokens, doc.tokens, weight)
    score = (
        weights.token_set * token_set
        + weights.weighted_overlap * overlap
        + weights.trigram * trigram
    )
    if query.models and doc.models:
        if models_agree(query.models, doc.models, doc.tokens):
            score += (1.0 - score) * weights.model_match
        else:
            score *= weights.model_conflict
    return min(1.0, max(0.0, score))


def token_set(query: TextFeatures, doc: TextFeatures) -> float:
    """rapidfuzz token_set_ratio of two normalised texts, in [0, 1]."""
    return fuzz.token_set_ratio(query.text, doc.text) / 100.0
