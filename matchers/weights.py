"""The versioned scoring model: every number that changes a result, under one version.

`Weights` holds the log-odds weight of each signal (risk), its identity strength
(similarity), the prior, the expiry discount and the cut-offs of retrieval and the
features (`FeatureConfig`). `DEFAULT_WEIGHTS` is the version the engine ships with;
`matchers.features.algorithm` checks at import that it weighs exactly the signals
the declared features emit.
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
    photo_margin_full: float  # the same for photo matches (calibrated confidence)
    product_margin: float  # matches this far below the best similarity do not set the risk
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
    photo_margin_full=0.15,  # photo confidences start at 0.7: a clear lead over the rival side
    product_margin=0.1,
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
    """A versioned scoring model: suspicion log-odds weights, identity strengths, the prior.

    `values` weighs the suspicion signals (P(infringing | product, context), prior
    `bias`); a signal found only in `identity` is identity evidence and carries no
    suspicion weight (see `matchers.scoring`).

    `expired_factor` is the share of a match's positive evidence that still counts
    once the product's registration has expired; `config` holds the cut-offs.
    `identity` says how far a signal (times its value) identifies the item with the
    product: in (0, 1] evidence *for* the product (combined by noisy-OR), in [-1, 0)
    evidence against it (the similarity is scaled by 1 + identity); a signal absent
    from it says nothing of identity.
    """

    version: str
    values: Mapping[str, float] = field(default_factory=dict)
    bias: float = -3.0
    expired_factor: float = 0.5
    identity: Mapping[str, float] = field(default_factory=dict)
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
    version="2026-12-02.1",
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
        "price_far_below_range": 4.0,
        "origin_unauthorized": 2.0,
        "importer_not_authorized": 0.8,
        "exporter_not_authorized": 0.6,
        "hs_code_other_heading": 0.3,
        "hs_code_other_chapter": 0.6,
        "commercial_quantity": 0.6,
        "counterfeit_vocabulary": 4.5,
        # evidence of genuine trade; a party's name is a claim anyone can write, so it
        # weighs little against a price or an origin
        "price_plausible": -0.6,
        "origin_authorized": -0.7,
        "importer_authorized": -0.5,
        "exporter_authorized": -0.3,
        "hs_code_consistent": -0.2,
        # abstentions that say why (value 0)
        "price_unavailable": 0.0,
        # HS 2022 (matchers.features.hs): a tariff code that does not exist is a mistake
        # or an invention; weighed a little below another chapter
        "hs_code_unknown": 0.5,
    },
    identity={
        # a brand alone never makes a product match (min_similarity 0.5): some text must agree
        "text_similarity": 1.0,
        "brand_exact": 0.45,
        "brand_alias": 0.45,
        "brand_lookalike": 0.4,
        "brand_differs": -0.4,
        "brand_unnamed": -0.15,  # only the description's words: a little less sure which product
        "model_same": 0.6,
        "model_different": -0.4,
        "gtin_this_product": 0.95,
        "gtin_other_product": -0.5,
        "gtin_unregistered": -0.2,
        "image_copy_of_genuine": 0.9,
        "image_copy_of_counterfeit": 0.8,
        "photo_match": 0.9,
        "photo_match_counterfeit": 0.7,
    },
    config=DEFAULT_CONFIG,
)
