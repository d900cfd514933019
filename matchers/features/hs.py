"""HS code features: the declared tariff code against the HS 2022 nomenclature and the product's.

Which codes exist is the catalogue's to say (its HS 2022 table): it marks a declaration
whose code is no chapter, heading or subheading there (`Declaration.hs_code_known`), and
the engine only reads that mark. A known declared code is compared with the product's
registered codes by heading (4 digits) and chapter (2 digits).
"""

from __future__ import annotations

from matchers.features.base import FeatureResult
from matchers.features.context import CandidateContext, DeclarationContext
from matchers.weights import FeatureConfig


def _digits(code: str) -> str:
    return "".join(c for c in code if c.isdigit())


def hs_code_unknown(ctx: DeclarationContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared HS code is not in the HS 2022 nomenclature (a mistyped or invented tariff
    code; a declaration-level signal, never a refusal). Abstains when nobody checked."""
    declared = (ctx.declaration.hs_code or "").strip()
    if not declared or ctx.declaration.hs_code_known is not False:
        return None
    return FeatureResult(
        "hs_code_unknown",
        1.0,
        f"HS code {declared} does not exist in the HS 2022 nomenclature",
        {"hs_code": declared, "digits": _digits(declared), "nomenclature": "HS 2022"},
    )


def hs_code(ctx: CandidateContext, config: FeatureConfig) -> FeatureResult | None:
    """The declared HS code against the product's: same heading (4 digits), same chapter
    (2 digits) or another chapter (misclassification is a common way to avoid scrutiny).
    A code that is not in HS 2022 is not compared: `hs_code_unknown` says so once."""
    if not ctx.declaration.hs_code or not ctx.product.hs_codes:
        return None
    if ctx.declaration.hs_code_known is False:
        return None
    declared = _digits(ctx.declaration.hs_code)
    ours = sorted({_digits(c) for c in ctx.product.hs_codes} - {""})
    if len(declared) < 2 or not ours:
        return None
    level = 4 if len(declared) >= 4 else 2  # a 2-digit declaration is compared by chapter
    if any(o[:level] == declared[:level] for o in ours):
        return FeatureResult(
            "hs_code_consistent",
            1.0,
            f"HS {declared} is in the product's {('chapter', 'heading')[level == 4]} "
            f"{declared[:level]}",
        )
    if any(o[:2] == declared[:2] for o in ours):
        return FeatureResult(
            "hs_code_other_heading",
            1.0,
            f"HS {declared} is in chapter {declared[:2]} but not the product's heading "
            f"{', '.join(sorted({o[:4] for o in ours}))}",
        )
    return FeatureResult(
        "hs_code_other_chapter",
        1.0,
        f"HS {declared} is outside the product's chapters "
        f"{', '.join(sorted({o[:2] for o in ours}))}",
    )
