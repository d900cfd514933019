"""A learned second stage over the text candidates of a branded declaration.

The first stage (`TextIndex.search`, then the identity log-odds model) scores each
candidate on its own. The re-ranker looks at the first stage's best `k` text candidates
together and gives each P(this is the declared product | its pairwise features): token-set
and partial ratios of the declared text against the product's indexed text and against its
name and description, IDF-weighted token coverage both ways, model-number and number
agreement, brand agreement (a differing brand weighed by how rare the product's brand word
is), sizes and colours that differ, letter-trigram overlap with the spaces dropped ("web
shop" / "webshop"), and the first stage's text score, similarity, rank and gap to the best.
The weights are a logistic model in `data/rerank.json` (with its `version`), fitted by
`bench/text_rerank_fit.py` on the tuning half of the text benchmarks; nothing here is
random, and the same inputs give the same floats.
"""

from __future__ import annotations

import bisect
import json
import marshal
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

from matchers.records import ProductRecord
from matchers.text.index import analyse, assemble, features, product_document
from matchers.text.normalize import normalize, tokens
from matchers.text.similarity import (
    TextFeatures,
    idf,
    model_roots_agree,
    models_agree,
    sizes_conflict,
)

__all__ = [
    "DEFAULT_RERANKER",
    "Candidate",
    "ProductTexts",
    "Reranker",
    "pair_features",
    "product_texts",
    "read_texts",
    "stored_texts",
]

DESCRIPTION_CHARS = 1000  # of a product's description compared: its opening says what it is
_LOGIT_CLIP = 8.0
_WEIGHT_MAX = idf(1)  # the weight of a token in one document, the heaviest there is

FEATURES = (
    "first_logit",  # the first stage's identity log-odds (clipped), over 8
    "first_gap",  # that log-odds minus the best candidate's, over 8
    "first_best",  # the first stage's choice (its best similarity)
    "first_kept",  # the first stage's similarity is a match (0.5 or more)
    "text_score",
    "text_gap",  # text score minus the best candidate's (0 for the best)
    "rank_inverse",  # 1 / (1 + text rank), equal texts sharing a rank
    "rank_first",
    "token_set",  # rapidfuzz token_set_ratio, declared text vs the product's indexed text
    "partial_name",  # rapidfuzz partial_ratio, declared text vs the product's name
    "token_set_described",  # token_set_ratio vs name and the description's opening
    "query_covered",  # IDF share of the declared tokens the product's text holds
    "product_covered",  # IDF share of the product's indexed tokens the declaration holds
    "model_agrees",  # a model number in common (whole on one side), name or description
    "model_root_agrees",
    "model_conflict",  # both sides carry model numbers and none agrees
    "numbers_shared",  # share of the declared numbers found in the product's text
    "numbers_unsaid",  # share of the numbers of the product's indexed text not declared
    "numbers_conflict",  # both sides carry numbers and share none
    "query_covered_indexed",  # IDF share of the declared tokens in the indexed text alone
    "wratio",  # rapidfuzz WRatio, declared text vs the product's indexed text
    "rarest_missing",  # the heaviest declared token the product's text lacks, over the heaviest
    "rarest_unsaid",  # the heaviest indexed token of the product not declared, over its heaviest
    "brand_same",  # the declared brand is the product's brand
    "brand_in_text",  # every declared brand word is in the product's name or description
    "brand_exact",  # the identity findings of the first stage
    "brand_differs",
    "model_same",
    "model_different",
    "sizes_conflict",  # both sides give a size in one unit and share no value ("250gb"/"750gb")
    "colour_conflict",  # both sides name a colour and share none ("black" / "red")
    "colour_agrees",  # share of the declared colours the product's text names
    "brand_differs_leading",  # the brand differs, the product's brand being its name's first word
    "brand_differs_rare",  # the brand differs, times the weight of the product's rarest brand word
    "squeezed_query",  # share of the declared letter trigrams (spaces dropped) in the product's
    "squeezed_product",  # share of the product's indexed letter trigrams in the declaration
)

# Colour words: a variant of the same model in another colour is another product.
COLOURS = frozenset(
    ("black", "white", "red", "blue", "green", "yellow", "pink", "purple", "orange", "brown",
     "grey", "gray", "silver", "gold", "beige", "navy", "burgundy", "ivory", "bronze", "teal")
)  # fmt: skip


# A product's side of the pairwise features: the features of its indexed text and of its
# name with the description's opening, its normalised name, its normalised brand and the
# squeezed letter trigrams of its indexed text (made again from that text when read back).
ProductTexts = tuple[TextFeatures, TextFeatures, str, str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One first-stage text candidate: the product, its text score and identity findings.

    `texts` are the product's `ProductTexts` when the caller holds them (the match index
    stores them when a product is indexed, `stored_texts`); without them they are computed
    here (and cached per product)."""

    product: ProductRecord
    text_score: float
    similarity: float
    findings: Mapping[str, float]  # identity signal name -> value
    texts: ProductTexts | None = None


@dataclass(frozen=True, slots=True)
class Reranker:
    """A logistic model over `FEATURES` (`weights` in that order, plus `bias`)."""

    version: str
    k: int  # how many of the first stage's text candidates are re-ranked
    bias: float
    weights: tuple[float, ...]

    def rescore(
        self,
        *,
        query: str,
        brand: str,
        candidates: Sequence[Candidate],
        weight: Callable[[str], float],
    ) -> list[float]:
        """P(declared product) of each candidate (given best text first), rounded to 4 digits."""
        rows = pair_features(query=query, brand=brand, candidates=candidates, weight=weight)
        out = []
        for row in rows:
            if len(row) != len(self.weights):
                raise ValueError(f"{len(row)} features for {len(self.weights)} weights")
            # fsum is correctly rounded: the same float however its terms are produced
            logit = self.bias + math.fsum(map(operator.mul, self.weights, row))
            out.append(round(1.0 / (1.0 + math.exp(-min(max(logit, -30.0), 30.0))), 4))
        return out


def pair_features(
    *,
    query: str,
    brand: str,
    candidates: Sequence[Candidate],
    weight: Callable[[str], float],
) -> list[list[float]]:
    """The `FEATURES` of each candidate, given in first-stage order (best text first)."""
    q = features(query)
    declared_brand = normalize(brand)
    brand_words = set(declared_brand.split())
    numbers = _numbers(q)
    q_total = sum(map(weight, q.tokens))
    q_heaviest = _heaviest(q.tokens, weight)
    q_colours = q.tokens & COLOURS
    q_grams = _squeezed_grams(q.text)
    best = max((c.text_score for c in candidates), default=0.0)
    logits = [_logit(c.similarity) for c in candidates]
    top_logit = max(logits, default=0.0)
    most = max((c.similarity for c in candidates), default=0.0)
    rows = []
    ascending = sorted(c.text_score for c in candidates)
    for n, cand in enumerate(candidates):
        # ranks by competition (equal texts share a rank), so equal products score equally:
        # how many candidates have a higher text score
        rank = len(ascending) - bisect.bisect_right(ascending, cand.text_score)
        doc, described, name, product_brand, doc_grams = cand.texts or _product_texts(cand.product)
        held = doc.tokens | described.tokens
        shared_weight = sum(map(weight, q.tokens & doc.tokens))
        d_total = sum(map(weight, doc.tokens))
        model_agrees = models_agree(q, doc)
        found = cand.findings
        colours = held & COLOURS
        rows.append(
            [
                logits[n] / _LOGIT_CLIP,
                (logits[n] - top_logit) / _LOGIT_CLIP,
                float(cand.similarity == most),
                float(cand.similarity >= 0.5),
                cand.text_score,
                cand.text_score - best,
                1.0 / (1.0 + rank),
                float(rank == 0),
                fuzz.token_set_ratio(q.text, doc.text) / 100.0,
                fuzz.partial_ratio(q.text, name) / 100.0,
                fuzz.token_set_ratio(q.text, described.text) / 100.0,
                sum(map(weight, q.tokens & held)) / q_total if q_total else 0.0,
                sum(map(weight, doc.tokens & q.tokens)) / d_total if d_total else 0.0,
                float(model_agrees or models_agree(q, described)),
                float(model_roots_agree(q, doc) or model_roots_agree(q, described)),
                float(bool(q.models) and bool(doc.models) and not model_agrees),
                len(numbers & held) / len(numbers) if numbers else 0.0,
                len(own - q.tokens) / len(own) if (own := _numbers(doc)) else 0.0,
                float(bool(numbers) and bool(own) and not (numbers & own)),
                shared_weight / q_total if q_total else 0.0,
                fuzz.WRatio(q.text, doc.text) / 100.0,
                _heaviest(q.tokens - held, weight) / q_heaviest if q_heaviest else 0.0,
                _heaviest(doc.tokens - q.tokens, weight) / d_heaviest
                if (d_heaviest := _heaviest(doc.tokens, weight))
                else 0.0,
                float(bool(declared_brand) and declared_brand == product_brand),
                float(bool(brand_words) and brand_words <= held),
                found.get("brand_exact", found.get("brand_alias", 0.0)),
                found.get("brand_differs", 0.0),
                found.get("model_same", 0.0),
                found.get("model_different", 0.0),
                float(sizes_conflict(q, doc)),
                float(bool(q_colours) and bool(colours) and not q_colours & colours),
                len(q_colours & held) / len(q_colours) if q_colours else 0.0,
                float(
                    found.get("brand_differs", 0.0) > 0.0
                    and bool(product_brand)
                    and (name == product_brand or name.startswith(f"{product_brand} "))
                ),
                found.get("brand_differs", 0.0)
                * _heaviest(frozenset(product_brand.split()), weight)
                / _WEIGHT_MAX,
                len(q_grams & doc_grams) / len(q_grams) if q_grams else 0.0,
                len(q_grams & doc_grams) / len(doc_grams) if doc_grams else 0.0,
            ]
        )
    return rows


def _squeezed_grams(text: str) -> frozenset[str]:
    """Letter/digit trigrams of a normalised text with its spaces dropped: "web shop" and
    "webshop" read alike, whatever the word boundaries."""
    flat = "".join(ch for ch in text if ch.isalnum())
    return frozenset(flat[i : i + 3] for i in range(len(flat) - 2))


def _heaviest(tokens: frozenset[str], weight: Callable[[str], float]) -> float:
    """The largest weight among `tokens` (0.0 for none)."""
    return max(map(weight, tokens), default=0.0)


def _numbers(text: TextFeatures) -> set[str]:
    """The tokens of a text that carry a digit (versions also as their bare number)."""
    # a letters-only token has no digit (no character is both): skips the per-character test
    return {t for t in text.tokens if not t.isalpha() and any(c.isdigit() for c in t)}


def _logit(p: float) -> float:
    """Log-odds of a similarity, clipped to +-8."""
    q = min(max(p, 1e-6), 1.0 - 1e-6)
    return min(max(math.log(q / (1.0 - q)), -_LOGIT_CLIP), _LOGIT_CLIP)


def product_texts(product: ProductRecord) -> ProductTexts:
    """The product's `ProductTexts`."""
    return read_texts(stored_texts(product))


@lru_cache(maxsize=65_536)
def _product_texts(product: ProductRecord) -> ProductTexts:
    """`product_texts` of a candidate given without them, cached per product."""
    return product_texts(product)


def stored_texts(product: ProductRecord) -> bytes:
    """The product's `ProductTexts` as the match index keeps them (~300 bytes): the `Parts`
    each text's features are built from, so that `read_texts` builds the very same sets."""
    text = product_document(product)
    opening = product.description[:DESCRIPTION_CHARS]
    # f"{text} " has the tokens of `text`: the same features, built by the same steps
    described = analyse(tokens(f"{text} {opening}")) if opening else None
    parts = (analyse(tokens(text)), described, normalize(product.name), normalize(product.brand))
    return marshal.dumps(parts)


def read_texts(stored: bytes) -> ProductTexts:
    """The `ProductTexts` of `stored_texts`."""
    document, described, name, brand = marshal.loads(stored)  # noqa: S302 - ours, not a user's
    doc = assemble(*document)
    described_text = doc if described is None else assemble(*described)
    return doc, described_text, name, brand, _squeezed_grams(doc.text)


def load(text: str) -> Reranker:
    """A re-ranker from the JSON of `data/rerank.json` (its feature names must be `FEATURES`)."""
    data = json.loads(text)
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"re-ranker {data['version']} was fitted on other features")
    return Reranker(
        version=str(data["version"]),
        k=int(data["k"]),
        bias=float(data["bias"]),
        weights=tuple(float(w) for w in data["weights"]),
    )


DEFAULT_RERANKER = load(
    (resources.files("matchers.text") / "data" / "rerank.json").read_text(encoding="utf-8")
)
