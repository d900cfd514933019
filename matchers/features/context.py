"""What a feature reads: the declaration and what retrieval found, and one candidate product.

`DeclarationContext` is built once per declared item; `CandidateContext` adds one
candidate product and what retrieval scored for it. Both are plain, frozen data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from matchers.features.base import BrandHitLike, NearCopyHitLike, PhotoHitLike
from matchers.records import Declaration, ImageRecord, ProductRecord
from matchers.scoring import FxRates


@dataclass(frozen=True, slots=True)
class Evidence:
    """What retrieval found for one declaration, shared by all its candidates."""

    brand_hits: Sequence[BrandHitLike] = ()
    brand_field_hits: Sequence[BrandHitLike] = ()
    gtin_owners: Mapping[str, Sequence[ProductRecord]] = field(default_factory=dict)
    near_copies: Mapping[str, Sequence[tuple[NearCopyHitLike, ImageRecord]]] = field(
        default_factory=dict
    )
    photos: Mapping[str, Sequence[tuple[PhotoHitLike, ImageRecord]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What features derive from a product alone, computed once when it is indexed."""

    models: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclarationContext:
    """One declared item, what retrieval found for it, the exchange rates and the day."""

    declaration: Declaration
    fx: FxRates
    today: date
    evidence: Evidence = Evidence()

    def candidate(
        self,
        product: ProductRecord,
        *,
        text_score: float,
        text_note: str = "",
        text_lead: float = 0.0,
        facts: ProductFacts | None = None,
    ) -> CandidateContext:
        """This declared item with one candidate product."""
        return CandidateContext(
            declaration=self.declaration,
            fx=self.fx,
            today=self.today,
            evidence=self.evidence,
            product=product,
            text_score=text_score,
            text_note=text_note,
            text_lead=text_lead,
            facts=facts,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateContext(DeclarationContext):
    """A declared item and one candidate product: its text score and derived facts.

    `text_note` says how the declared text was read (e.g. a look-alike brand read as
    the brand); `text_lead` is how far the product's text score stands above every other
    product's (0.0 unless it is the closest text of the catalogue); `facts` is None when
    the product's facts were not precomputed.
    """

    product: ProductRecord
    text_score: float
    text_note: str = ""
    text_lead: float = 0.0
    facts: ProductFacts | None = None

    @property
    def near_copies(self) -> Sequence[tuple[NearCopyHitLike, ImageRecord]]:
        """Near-copy hits of the declared images on this product's reference images."""
        return self.evidence.near_copies.get(self.product.product_id, ())

    @property
    def photos(self) -> Sequence[tuple[PhotoHitLike, ImageRecord]]:
        """Photo hits of the declared images on this product's reference photos."""
        return self.evidence.photos.get(self.product.product_id, ())
