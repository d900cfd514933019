"""Identity features: how far brand, text and model number tie a declared item to a product."""

from __future__ import annotations

from collections.abc import Sequence

from matchers.features.base import BrandHitLike, FeatureResult, models_in, norm, product_label
from matchers.features.base import clamp01 as _clamp
from matchers.features.context import CandidateContext, DeclarationContext
from matchers.records import Declaration, ProductRecord
from matchers.text.commonness import distinctive
from matchers.text.index import features
from matchers.text.normalize import is_size
from matchers.text.similarity import model_root
from matchers.vocabulary import without_terms
from matchers.weights import FeatureConfig

# How much a text's lead over every other product's adds to its score (see text_similarity).
TEXT_LEAD_GAIN = 2.0
LEAD_SAID = 0.1  # a lead this large is said in the sentence

# "No brand" in the brand field says nothing against a product the description points to.
NO_BRAND = frozenset({"generic", "no brand", "nobrand", "unbranded", "none", "n a", "na", "oem"})


def _brand_names(product: ProductRecord) -> set[str]:
    return {norm(b) for b in (product.brand, *product.brand_aliases)} - {""}


def _hits_for(hits: Sequence[BrandHitLike], product: ProductRecord) -> list[BrandHitLike]:
    own = norm(product.brand)
    return [h for h in hits if norm(h.brand) == own]


def brand_named(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declaration names the product's brand or one of its aliases (exact or alias hit)."""
    product = ctx.product
    named = [h for h in _hits_for(ctx.evidence.brand_hits, product) if h.kind in ("exact", "alias")]
    if not named:
        return None
    best = max(named, key=lambda h: (h.kind == "exact", h.score, h.matched_text))
    return FeatureResult(
        name=f"brand_{best.kind}",
        value=_clamp(best.score),
        detail=best.evidence or f'"{best.matched_text}" names the brand {product.brand}',
    )


def brand_lookalike(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declaration uses a look-alike of the product's brand ("Adidoss" for Adidas)."""
    product = ctx.product
    fakes = [h for h in _hits_for(ctx.evidence.brand_hits, product) if h.kind == "lookalike"]
    if not fakes:
        return None
    best = max(fakes, key=lambda h: (h.score, h.matched_text))
    return FeatureResult(
        name="brand_lookalike",
        value=_clamp(best.score),
        detail=best.evidence or f'"{best.matched_text}" imitates the brand {product.brand}',
    )


def brand_differs(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared brand field names some other brand than the product's (weakens identity).

    Full weight when the field names another registered brand ("Puma" on a Nike shoe); half
    when the name is registered nowhere (a maker, parent company or distributor may be
    declared: "Terk" for an Audiovox antenna). No finding when the declared brand shares a
    distinctive word with the product's brand or name ("Encore Software" for "Encore Inc"),
    or when the description itself names the product's brand ("Sony" declared, "PlayStation 2
    DUALSHOCK controller" described, registered under PlayStation)."""
    declaration, product = ctx.declaration, ctx.product
    declared = norm(declaration.brand or "")
    if not declared or declared in NO_BRAND or declared in _brand_names(product):
        return None
    if _hits_for(ctx.evidence.brand_field_hits, product):
        return None
    if any(h.kind in ("exact", "alias") for h in _hits_for(ctx.evidence.brand_hits, product)):
        return None
    own = set(norm(" ".join((product.brand, *product.brand_aliases, product.name))).split())
    if set(distinctive(declared.split(), threshold=config.common_zipf)) & own:
        return None
    registered = any(
        h.kind in ("exact", "alias") and norm(h.brand) not in _brand_names(product)
        for h in ctx.evidence.brand_field_hits
    )
    return FeatureResult(
        name="brand_differs",
        value=1.0 if registered else 0.5,
        detail=f'declared brand "{declaration.brand}" is not {product.brand}',
    )


def brand_unnamed(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """Nothing but the description's words ties the item to the product: no brand declared or
    named (nor imitated), no model number, GTIN or image of it. Words shared by a kind of goods
    ("wireless earbuds", "alkaline batteries AA") then say less about which product this is."""
    declaration, product = ctx.declaration, ctx.product
    if norm(declaration.brand or "") not in ("", *NO_BRAND):
        return None
    if _hits_for(ctx.evidence.brand_hits, product) or ctx.near_copies or ctx.photos:
        return None
    if declaration.gtin or models_in(declaration.description):
        return None  # a GTIN or a code speaks for itself (for or against the product)
    return FeatureResult(
        name="brand_unnamed",
        value=1.0,
        detail=f"no brand is declared or named: only the description's words point to "
        f"{product_label(product.brand, product.name)}",
    )


def text_similarity(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """Fuzzy similarity of the declared text to the product's registered text (0-1 score),
    saying how the text was read (e.g. a look-alike brand read as the brand)."""
    product = ctx.product
    score = float(
        ctx.text_score
    )  # retrieval may hand over numpy scalars; results must be plain floats
    # a lead over the catalogue counts when the item is more than a kind of goods (a brand,
    # code, GTIN or image is declared): "alkaline batteries AA" leads only for want of rivals
    lead = TEXT_LEAD_GAIN * float(ctx.text_lead) if ctx.text_lead > 0 else 0.0
    if lead and brand_unnamed(ctx, config) is not None:
        lead = 0.0
    value = _clamp((score + lead - config.text_floor) / (1.0 - config.text_floor))
    if value <= 0.0:
        return None
    if not _distinctive_words(ctx.declaration, config.common_zipf) and not _brand_declared(ctx):
        return None  # "running shoe" alone says which kind of goods, not which product
    return FeatureResult(
        name="text_similarity",
        value=round(value, 4),
        detail=f"declared text is {score:.0%} similar to "
        f'"{product_label(product.brand, product.name)}"'
        f"{ctx.text_note}"
        + (", far closer than any other registered product" if lead >= LEAD_SAID else ""),
        evidence={"text_score": round(score, 4), "lead": round(float(ctx.text_lead), 4)}
        if lead > 0
        else None,
    )


def _brand_declared(ctx: CandidateContext) -> bool:
    """The brand field names this product's brand: the context that makes ordinary words
    ("Red Bull" + "energy drink 250 ml can") name a product of it."""
    field_hits = _hits_for(ctx.evidence.brand_field_hits, ctx.product)
    return any(h.kind in ("exact", "alias") for h in field_hits)


def _distinctive_words(declaration: Declaration, threshold: float) -> tuple[str, ...]:
    """The declared words (brand field and description) that can tell products apart."""
    said = f"{declaration.brand or ''} {without_terms(declaration.description)}"
    return distinctive(norm(said).split(), threshold=threshold)


def product_models(product: ProductRecord) -> tuple[str, ...]:
    """The product's model numbers (from `model`, then the codes of its name), sizes left
    out: a code written in the product's own name names it as well as its model field."""
    found = dict.fromkeys((*models_in(product.model or ""), *models_in(product.name)))
    return tuple(m for m in found if _is_code(m))


def _written_in_pieces(code: str, product: ProductRecord, min_length: int) -> bool:
    """Whether the declared `code` is, up to a suffix, a model the product's name writes in
    pieces ("EOS40DBODY" for "Canon EOS 40D ...")."""
    keys = features(product.name).model_keys
    return any(
        len(key) >= min_length and (code.startswith(key) or key.startswith(code)) for key in keys
    )


def _is_code(token: str) -> bool:
    """A part number (letters with digits, or a long number), not a size such as "100ml"."""
    if is_size(token):
        return False
    has_alpha = any(c.isalpha() for c in token)
    return (has_alpha and len(token) >= 4) or (token.isdigit() and len(token) >= 5)


def model_number(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared text carries the product's model number, or a different model number."""
    product = ctx.product
    ours = product_models(product) if ctx.facts is None else ctx.facts.models
    if not ours:
        return None
    declared = models_in(ctx.declaration.description)
    suffixed = config.model_suffix_min_length
    for code in declared:
        for mine in ours:
            # a colour or size suffix ("dv3853" vs "dv3853001") still names the same model
            if code == mine or (
                min(len(code), len(mine)) >= suffixed and (code in mine or mine in code)
            ):
                return FeatureResult(
                    name="model_same",
                    value=1.0,
                    detail=f'declared model "{_as_declared(code, ctx.declaration.description)}" '
                    f"is the model of {product_label(product.brand, product.name)}",
                )
    named = set(models_in(product.name))
    if any(code in named for code in declared):
        return None  # a code of the product's own name ("Sony SRS-XB13 ...") is not another model
    roots = {model_root(m) for m in ours if len(model_root(m)) >= suffixed}
    others = [
        c
        for c in declared
        if _is_code(c)
        and not _written_in_pieces(c, product, suffixed)
        and model_root(c) not in roots  # the same model in another colour: "YHT390BK" / "BL"
    ]
    if not others:
        return None
    return FeatureResult(
        name="model_different",
        value=1.0,
        detail=f'declared model "{_as_declared(others[0], ctx.declaration.description)}" '
        f"is not {product.model or ours[0]}",
    )


def _as_declared(code: str, text: str) -> str:
    """The model number as the declaration wrote it ("DV3853-001", not "dv3853001")."""
    for chunk in text.split():
        if code in models_in(chunk):
            return chunk.strip(".,;:()[]\"'")
    return code


def brand_level(ctx: DeclarationContext, config: FeatureConfig) -> FeatureResult | None:
    """A registered brand is named or imitated but no registered product is identified;
    the strongest hit speaks, a look-alike before an exact name at equal strength."""
    hits = ctx.evidence.brand_hits
    if not hits:
        return None
    best = max(hits, key=lambda h: (h.score, h.kind == "lookalike", h.kind == "exact", h.brand))
    return FeatureResult(
        name=f"brand_{best.kind}",
        value=_clamp(best.score),
        detail=(best.evidence or f'"{best.matched_text}" refers to the brand {best.brand}')
        + "; no registered product of it was identified",
        evidence={"brand": best.brand},  # whose owner a declaration-level finding alerts
    )
