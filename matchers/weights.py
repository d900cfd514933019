"""The versioned scoring model: every number that changes a result, under one version.

`Weights` holds the two log-odds models of `matchers.scoring`: each signal's suspicion
weight (risk) and identity weight (similarity), each model's prior, the expiry discount
and the cut-offs of retrieval and the features (`FeatureConfig`). `DEFAULT_WEIGHTS` is
the version the engine ships with; `matchers.features.algorithm` checks at import that
it weighs exactly the signals the declared features emit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class SignalError(LookupError):
    """A signal name that the weights or the declared features do not know."""


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Cut-offs of retrieval and of the features.

    Customs values are import values, often 40-60% of retail; counterfeits are
    declared far lower, so only a unit value well below ~35-40% of the genuine
    minimum is taken as evidence, and strong evidence below 25%.
    """

    # retrieval
    max_images: int  # declared images looked at per item; more add cost, not evidence
    near_copy_limit: int  # near-copy hits kept per declared image
    photo_limit: int  # photo hits kept per declared image
    image_margin_full: float  # similarity margin over the other side's nearest for full credit
    image_copy_min: float  # a near-copy hit this similar is a copy; below, same brand packaging
    photo_margin_full: float  # the same for photo matches (calibrated confidence)
    product_margin: float  # matches this many identity log-odds below the best do not set the risk
    reread_below: float  # a plain text reading this close to a product needs no brand rereading
    reread_hits: int  # alias or look-alike hits tried as the brand itself
    # brand hits
    brand_lead_words: int  # a brand stands within the first words of a description
    lookalike_out_of_place: float  # share of a look-alike's score where no brand goes
    # distinctiveness (wordfreq Zipf scale)
    common_zipf: float  # a declared word this frequent identifies no product
    brand_common_zipf: float  # a brand this frequent as a word needs context to count
    # text and model number
    text_floor: float  # text similarity at or below this is no evidence
    model_suffix_min_length: int  # codes this long still match with a colour or size suffix
    # price
    price_plausible_ratio: float
    price_far_below_ratio: float
    price_far_below_floor: float  # the value at the far-below boundary, rising to 1.0 at 0
    # quantity
    commercial_quantity: int
    commercial_quantity_full: int
    commercial_quantity_floor: float  # the value at `commercial_quantity` units
    commercial_min_eur: float  # a genuine minimum from which bulk is worth a counterfeiter's while
    luxury_min_eur: float  # a genuine minimum from which the goods are called luxury goods


DEFAULT_CONFIG = FeatureConfig(
    max_images=8,
    near_copy_limit=5,
    photo_limit=3,
    image_margin_full=0.125,  # 8 of 64 phash bits nearer
    # copies sent again (resized, JPEG, mirrored) measured 0-2 phash bits from their reference,
    # packages on the same template (other colours, a shape moved) 4-10 (bench/scenario_images,
    # seed 11): a copy is within 6 bits (phash alone) or 12 (phash and dhash)
    image_copy_min=0.9,
    photo_margin_full=0.15,  # photo confidences start at 0.7: a clear lead over the rival side
    product_margin=1.0,  # odds of being this product under 1/e of the best one's
    reread_below=0.9,
    reread_hits=2,
    brand_lead_words=3,
    lookalike_out_of_place=0.5,
    common_zipf=4.2,
    brand_common_zipf=4.4,
    text_floor=0.5,
    model_suffix_min_length=5,
    price_plausible_ratio=0.40,
    price_far_below_ratio=0.25,
    price_far_below_floor=0.6,
    commercial_quantity=10,
    commercial_quantity_full=500,
    commercial_quantity_floor=0.3,
    commercial_min_eur=100.0,
    luxury_min_eur=500.0,
)


@dataclass(frozen=True, slots=True)
class Weights:
    """A versioned scoring model: suspicion and identity log-odds weights and their priors.

    `values` weighs the suspicion signals (P(infringing | product, context), prior
    `bias`); a signal found only in `identity` is identity evidence and carries no
    suspicion weight (see `matchers.scoring`).

    `expired_factor` is the share of a match's positive evidence that still counts
    once the product's registration has expired; `config` holds the cut-offs.
    `identity` is the second log-odds model, P(this product | identity evidence): each
    signal's log-odds weight (times its value) for the item being the product (positive)
    or another one (negative), added to the prior `identity_bias`; a signal absent from
    it says nothing of identity.
    """

    version: str
    values: Mapping[str, float] = field(default_factory=dict)
    bias: float = -3.0
    expired_factor: float = 0.5
    identity: Mapping[str, float] = field(default_factory=dict)
    identity_bias: float = -3.0
    config: FeatureConfig = DEFAULT_CONFIG

    def weight(self, name: str) -> float:
        """The weight of signal `name`; a name this version does not know is an error."""
        try:
            return self.values[name]
        except KeyError:
            raise SignalError(
                f"weights {self.version} have no weight for signal {name!r}"
            ) from None


DEFAULT_WEIGHTS = Weights(
    version="2026-12-04.1",
    bias=-3.0,
    expired_factor=0.5,
    values={
        # suspicion: how likely an item of this product infringes, given the context
        "brand_lookalike": 3.5,
        "gtin_invalid": 1.2,
        "gtin_other_brand": 5.0,
        "gtin_unregistered": 0.4,
        "image_copy_of_counterfeit": 6.0,
        "photo_match_counterfeit": 3.5,
        "price_below_range": 2.0,
        "price_far_below_range": 4.2,
        "origin_unauthorized": 2.0,
        "importer_not_authorized": 0.8,
        "exporter_not_authorized": 0.6,
        "hs_code_other_heading": 0.3,
        "hs_code_other_chapter": 0.6,
        "commercial_quantity": 0.6,
        "counterfeit_vocabulary": 4.5,
        # evidence of genuine trade; what the declaration says of its own trade is a claim:
        # a party's name anyone can write weighs almost nothing, a declared origin little,
        # so that neither cancels a price at a seventh of the genuine minimum or an
        # unauthorised origin (issue 8: 14% of the minimum with every party and the origin
        # authorised is yellow, risk 0.37, not green)
        "price_plausible": -0.6,
        "origin_authorized": -0.4,
        "importer_authorized": -0.1,
        "exporter_authorized": -0.1,
        "hs_code_consistent": -0.2,
        # abstentions that say why (value 0)
        "price_unavailable": 0.0,
        # HS 2022 (matchers.features.hs): a tariff code that does not exist is a mistake
        # or an invention; weighed a little below another chapter
        "hs_code_unknown": 0.5,
    },
    # P(this product | identity evidence) = sigmoid(identity_bias + sum(identity[name] * value)).
    # A candidate is a match from 0.5 (log-odds 0). With the prior at -3, a signal of weight w
    # alone at full value gives sigmoid(w - 3): the text alone counts from value 0.5 (a text
    # score of 0.75, as before) and reaches 0.95; a brand alone (0.45) never counts, a model
    # number alone (0.6) does. Each weight is that signal's former strength s as log-odds
    # over the prior (logit(s) + 3); signals against the product subtract log-odds.
    identity_bias=-3.0,
    identity={
        "text_similarity": 6.0,
        "brand_exact": 2.8,
        "brand_alias": 2.8,
        "brand_lookalike": 2.6,
        "brand_differs": -2.5,
        "brand_unnamed": -0.6,  # only the description's words: a little less sure which product
        "model_same": 3.4,
        "model_different": -2.0,
        "gtin_this_product": 5.9,
        "gtin_other_product": -3.0,
        "gtin_unregistered": -0.8,
        "image_copy_of_genuine": 5.2,
        "image_copy_of_counterfeit": 4.4,
        "image_same_brand_packaging": 1.5,  # whose design, not which product: below a brand named
        "photo_match": 5.2,
        "photo_match_counterfeit": 3.8,
    },
    config=DEFAULT_CONFIG,
)
