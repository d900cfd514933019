"""A feature declared once: its function, the signal names it may emit and what it needs.

Every feature has one signature, `(ctx, config) -> FeatureResult | None`, where
`ctx` is a `DeclarationContext` (declaration-level features) or a `CandidateContext`
(one candidate product) and `config` the cut-offs of the weights version in use.
`needs` is a cheap guard: when it is false the feature is not called (most
declarations carry no GTIN, image, price or quantity, and a text-only query stays cheap).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from matchers.features.base import FeatureResult
from matchers.features.context import DeclarationContext
from matchers.weights import FeatureConfig, SignalError, Weights

Ctx = TypeVar("Ctx", bound=DeclarationContext)


@dataclass(frozen=True, slots=True)
class Feature(Generic[Ctx]):
    """One feature of the algorithm: `func` may emit only the signals in `names`."""

    func: Callable[[Ctx, FeatureConfig], FeatureResult | None]
    names: tuple[str, ...]
    needs: Callable[[Ctx], bool] | None = None

    @property
    def name(self) -> str:
        """The feature's name: its function's."""
        return self.func.__name__

    def run(self, ctx: Ctx, config: FeatureConfig) -> FeatureResult | None:
        """The feature's finding on `ctx`, or None; a signal it did not declare is an error."""
        if self.needs is not None and not self.needs(ctx):
            return None
        result = self.func(ctx, config)
        if result is not None and result.name not in self.names:
            raise SignalError(
                f"feature {self.name} emitted signal {result.name!r}, not one of {self.names}"
            )
        return result


def run_all(
    features: Iterable[Feature[Ctx]], ctx: Ctx, config: FeatureConfig
) -> list[FeatureResult]:
    """The findings of `features` on `ctx`, in their declared order (abstentions left out)."""
    return [r for r in (f.run(ctx, config) for f in features) if r is not None]


def emitted(features: Iterable[Feature[Any]]) -> frozenset[str]:
    """Every signal name `features` declare."""
    return frozenset(n for f in features for n in f.names)


def check_weights(
    weights: Weights, *, weighted: frozenset[str], identifying: frozenset[str]
) -> None:
    """Raise `SignalError` unless every `weighted` signal name has a suspicion weight or an
    identity weight, no weight is for a signal not emitted, and identity weights go
    only to `identifying` ones."""
    unweighted = sorted(weighted - weights.values.keys() - weights.identity.keys())
    if unweighted:
        raise SignalError(f"weights {weights.version} have no weight for {unweighted}")
    unemitted = sorted(weights.values.keys() - weighted)
    if unemitted:
        raise SignalError(f"weights {weights.version} weigh signals no feature emits: {unemitted}")
    stray = sorted(weights.identity.keys() - identifying)
    if stray:
        raise SignalError(
            f"weights {weights.version} give an identity strength to unknown signals {stray}"
        )
