"""Pairwise product-text similarity: token-set ratio, IDF-weighted overlap, model numbers, sizes.

Each part is a small function with a value in [0, 1]; `combine` adds them with the weights of
`SimilarityWeights` and then lets model numbers speak: the same model number is very strong
evidence for the same product, a different one (both sides carrying one) evidence against.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

# Document frequency -> weight. Independent of the catalogue size on purpose: adding an
# unrelated product must not change the score of any other product for a query.
_IDF_SCALE = 100_000.0
_TRAILING_LETTERS = re.compile(r"(?<=\d)[a-z]{1,4}$")


@lru_cache(maxsize=65536)
def idf(df: int) -> float:
    """Weight of a token or n-gram seen in `df` documents (rarer is heavier)."""
    return math.log1p(_IDF_SCALE / max(df, 1))


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """One side of a comparison: normalised text, tokens, model numbers and sizes.

    `models` are the model numbers written as one token; `model_keys` adds the ones written
    in pieces ("sh 350 ip" -> "sh350ip"); `model_roots` are all of them without a short
    colour/region suffix ("k39304us" -> "k39304"). Keys and roots only ever confirm a match.
    """

    text: str
    tokens: frozenset[str]
    models: frozenset[str]
    model_keys: frozenset[str]
    model_roots: frozenset[str]
    sizes: frozenset[str]


@dataclass(frozen=True, slots=True)
class SimilarityWeights:
    """How the parts of the similarity combine (tuned on train/valid data, see bench)."""

    token_set: float = 0.35
    dice: float = 0.35
    coverage: float = 0.1
    trigram: float = 0.2
    model_match: float = 0.6
    model_root_match: float = 0.1
    model_conflict: float = 0.75
    size_conflict: float = 0.9
    prefilter: int = 25


DEFAULT_SIMILARITY = SimilarityWeights()


def model_root(model: str) -> str:
    """A model number without a short letter suffix after its last digit ("c270h" -> "c270")."""
    root = _TRAILING_LETTERS.sub("", model)
    return root if len(root) >= 4 else model


def token_overlap(
    query: frozenset[str],
    doc: frozenset[str],
    weight: Callable[[str], float],
    totals: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """IDF-weighted Dice overlap of two token sets and the weighted share of the query covered.

    `totals` are the summed weights of `query` and `doc` when the caller already has them.
    """
    if not query or not doc:
        return 0.0, 0.0
    shared = sum(map(weight, query & doc))
    if totals is None:
        q_total, d_total = sum(map(weight, query)), sum(map(weight, doc))
    else:
        q_total, d_total = totals
    dice = 2.0 * shared / (q_total + d_total) if q_total + d_total > 0 else 0.0
    return dice, shared / q_total if q_total > 0 else 0.0


def models_agree(query: TextFeatures, doc: TextFeatures) -> bool:
    """Whether the two sides share a model number, written whole on at least one side."""
    # Pieces joined on both sides ("series 5" / "5 series") agree too easily to count.
    return not (query.models.isdisjoint(doc.model_keys) and doc.models.isdisjoint(query.model_keys))


def model_roots_agree(query: TextFeatures, doc: TextFeatures) -> bool:
    """Whether the two sides share a model number up to a short suffix ("c270h" / "c270")."""
    return not query.model_roots.isdisjoint(doc.model_roots)


def sizes_conflict(query: TextFeatures, doc: TextFeatures) -> bool:
    """Whether both sides give a size in the same unit and no value in common ("500gb"/"750gb")."""
    if not query.sizes or not doc.sizes or not query.sizes.isdisjoint(doc.sizes):
        return False
    units = {_unit(s) for s in query.sizes} & {_unit(s) for s in doc.sizes}
    return bool(units)


def _unit(size: str) -> str:
    return size.lstrip("0123456789.,")


def combine(
    query: TextFeatures,
    doc: TextFeatures,
    *,
    token_set: float,
    trigram: float,
    weight: Callable[[str], float],
    weights: SimilarityWeights = DEFAULT_SIMILARITY,
    totals: tuple[float, float] | None = None,
) -> float:
    """Similarity in [0, 1] from the token-set ratio and trigram coverage (both in [0, 1])."""
    dice, coverage = token_overlap(query.tokens, doc.tokens, weight, totals)
    score = (
        weights.token_set * token_set
        + weights.dice * dice
        + weights.coverage * coverage
        + weights.trigram * trigram
    )
    if models_agree(query, doc):
        score += (1.0 - score) * weights.model_match
    elif model_roots_agree(query, doc):
        score += (1.0 - score) * weights.model_root_match
    elif query.models and doc.models:
        score *= weights.model_conflict
    if sizes_conflict(query, doc):
        score *= weights.size_conflict
    return min(1.0, max(0.0, score))


def token_set(query: TextFeatures, doc: TextFeatures) -> float:
    """rapidfuzz token_set_ratio of two normalised texts, in [0, 1]."""
    return fuzz.token_set_ratio(query.text, doc.text) / 100.0
