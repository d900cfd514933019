"""How much each brand hit counts: where it stands in the declaration, one hit per finding.

The brand index finds brands, aliases and look-alikes anywhere in free text; a
look-alike counts fully only where a seller puts a brand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from matchers.brands.index import BrandHit
from matchers.features.base import norm
from matchers.records import Declaration
from matchers.text.commonness import BRAND_LANGUAGES, distinctive, is_common
from matchers.vocabulary import without_terms
from matchers.weights import FeatureConfig


def in_brand_position(
    declaration: Declaration,
    field_hits: Sequence[BrandHit],
    hits: Sequence[BrandHit],
    *,
    config: FeatureConfig,
) -> list[BrandHit]:
    """The brand field's hits and the description's, look-alikes weighed by where they stand.

    A look-alike counts at reduced weight (`config.lookalike_out_of_place`) when its real
    brand is named too (most likely a misspelling, not a knock-off) or, in the description,
    when it is not where a brand goes: its first `config.brand_lead_words` words, with no
    brand field and no registered brand named outright (then the look-alike is most likely
    an ordinary word: "Harmony Series" for Sirius)."""
    hits = [h for h in hits if _counts(h, declaration, config)]
    field_hits = [h for h in field_hits if h.kind != "lookalike" or _uncommon(h, config)]
    named = {h.brand for h in [*field_hits, *hits] if h.kind != "lookalike"}
    lead = f" {' '.join(norm(declaration.description).split()[: config.brand_lead_words])} "
    share = config.lookalike_out_of_place
    reduced = "half" if share == 0.5 else f"{share:.0%}"  # the words evidence has always used
    out = []
    for h, in_field in [*((h, True) for h in field_hits), *((h, False) for h in hits)]:
        free = not declaration.brand and not named
        leading = in_field or (free and f" {norm(h.matched_text)} " in lead)
        if h.kind == "lookalike" and (h.brand in named or not leading):
            h = dataclasses.replace(
                h,
                score=round(h.score * share, 4),
                evidence=f"{h.evidence} (beside the real brand, or not where a brand goes: "
                f"counted at {reduced} weight)",
            )
        out.append(h)
    return out


def _uncommon(hit: BrandHit, config: FeatureConfig) -> bool:
    """Whether some word of the hit's text is not a common word of the language."""
    words = norm(hit.matched_text).split()
    return not all(
        is_common(w, threshold=config.brand_common_zipf, languages=BRAND_LANGUAGES) for w in words
    )


def _counts(hit: BrandHit, declaration: Declaration, config: FeatureConfig) -> bool:
    """A description's brand hit counts unless its words are common words of the language: a
    look-alike that is an ordinary word ("Mike", "goods") never does; an exact brand that is
    one ("Apple", "Gap") only beside a distinctive word ("Apple iPhone 15", not "apple juice")."""
    if _uncommon(hit, config):
        return True
    if hit.kind == "lookalike":
        return False
    own = set(norm(hit.matched_text).split())
    rest = [w for w in norm(without_terms(declaration.description)).split() if w not in own]
    return bool(distinctive(rest, threshold=config.common_zipf))


def merge_hits(hits: Sequence[BrandHit]) -> list[BrandHit]:
    """One hit per (brand, kind, matched text), the best score kept, in a stable order."""
    best: dict[tuple[str, str, str], BrandHit] = {}
    for h in hits:
        k = (h.brand, h.kind, h.matched_text)
        if k not in best or h.score > best[k].score:
            best[k] = h
    return sorted(best.values(), key=lambda h: (-h.score, h.brand, h.kind, h.matched_text))
