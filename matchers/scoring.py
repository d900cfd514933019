"""Thresholds and exchange rates, and how feature results become similarity, risk, verdict, lane.

The model separates *which product* from *whether it infringes*, each a log-odds model:

    risk = P(this product | identity evidence) x P(infringing | this product, context)

- `similarity` is P(this product | identity evidence), a logistic model of the identity
  signals only (text, model number, a GTIN registered to the product, the brand named, a
  genuine image or photo; against it: another brand declared, another model, another
  product's GTIN):

      similarity = sigmoid(identity_bias + sum(identity[name] * value))

  (`Weights.identity`, `Weights.identity_bias`). Evidence adds: a brand named beside a
  close text makes the identity surer than either alone, and a signal against the product
  subtracts log-odds rather than scaling a probability. A candidate is a match from 0.5
  (`Thresholds.min_similarity`), so one signal alone counts only when its weight beats
  the prior: a brand named alone never makes a product match.
- P(infringing | this product, context) is a logistic model of the suspicion signals
  only (`Weights.values`, prior `Weights.bias`):

      conditional = sigmoid(bias + sum(values[name] * value))

  Look-alike brand, price, unauthorised origin or parties, counterfeit vocabulary, a
  known-counterfeit image and another brand's GTIN raise it; authorised facts lower it.
  Identity signals carry no suspicion weight, so however sure the identity, a perfect
  match with authorised facts keeps the prior's low risk (green), and strong suspicion
  on a sure identity goes red. The learning code (`catalog.learning.calibrate`) fits
  this second model's weights and prior from recorded outcomes.
- With no product identified, a named or imitated brand is scored at declaration level:
  the conditional alone (`combine` with `identity=1.0`). An imitated brand infringes
  whichever product the item is, so for a candidate whose brand is imitated the share
  of belief that it is another product carries that declaration-level risk:
  `risk = P(product) x P(infringing | product) + (1 - P(product)) x otherwise`.

Every signal is reported as a `Signal`: its suspicion log-odds contribution (0.0 for an
identity signal, which acts through similarity), largest |contribution| first. Floats
are rounded to four decimals before they are summed so results are identical byte for
byte. The weights live in `matchers.weights` (re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from matchers.features.base import FeatureResult
from matchers.records import Lane, Money, Signal, Verdict
from matchers.weights import DEFAULT_WEIGHTS, Weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "FxQuote",
    "FxRate",
    "FxRates",
    "Thresholds",
    "Weights",
    "combine",
    "decide",
    "nearly_as_similar",
    "sigmoid",
    "similarity",
    "trade_checked",
]

DIGITS = 4


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where the lanes start, and how similar an item must be to count as a match."""

    yellow: float = 0.35
    red: float = 0.7
    min_similarity: float = 0.5
    max_candidates: int = 10
    max_matches: int = 5


@dataclass(frozen=True, slots=True)
class FxRate:
    """One unit of `base` is worth `rate` units of `quote` from `valid_from` to `valid_to`."""

    base: str
    quote: str
    rate: float
    valid_from: date
    valid_to: date | None = None
    source: str | None = None  # who published it (e.g. the ECB feed it was imported from)

    def valid_on(self, day: date) -> bool:
        """Whether this rate applies on `day` (both ends inclusive)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class FxQuote:
    """A conversion and the stored rates it used: `value` units of the target currency for one
    unit of the source, from `used` (one rate, or two through an intermediate currency), each
    as stored (so "1 EUR = 1.0812 USD" even when USD was converted to EUR)."""

    value: float
    used: tuple[FxRate, ...]


@dataclass(frozen=True, slots=True)
class FxRates:
    """The exchange rates an operator loaded; converts using the rate valid on a given day."""

    rates: tuple[FxRate, ...] = ()
    _pairs: dict[tuple[str, str], tuple[tuple[date, float, FxRate], ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # index both directions once; per query only the pairs involved are looked at
        pairs: dict[tuple[str, str], list[tuple[date, float, FxRate]]] = {}
        for r in self.rates:
            if r.rate > 0:
                b, q = r.base.upper(), r.quote.upper()
                pairs.setdefault((b, q), []).append((r.valid_from, r.rate, r))
                pairs.setdefault((q, b), []).append((r.valid_from, 1.0 / r.rate, r))
        # the most recent rate valid on a day wins; ties broken by the rate for determinism
        ordered = {
            k: tuple(sorted(v, key=lambda e: (e[0], e[1]), reverse=True)) for k, v in pairs.items()
        }
        object.__setattr__(self, "_pairs", ordered)

    def _direct_rate(self, src: str, dst: str, on: date) -> tuple[float, FxRate] | None:
        for _, value, r in self._pairs.get((src, dst), ()):
            if r.valid_on(on):
                return value, r
        return None

    def rate(self, *, from_currency: str, to_currency: str, on: date) -> float | None:
        """Units of `to_currency` for one `from_currency` on `on`, directly, inverted or via one
        intermediate currency; None when no usable rate exists."""
        found = self.quote(from_currency=from_currency, to_currency=to_currency, on=on)
        return None if found is None else found.value

    def quote(self, *, from_currency: str, to_currency: str, on: date) -> FxQuote | None:
        """The rate `rate` returns with the stored rates it used (none for one currency)."""
        src, dst = from_currency.upper(), to_currency.upper()
        if src == dst:
            return FxQuote(1.0, ())
        direct = self._direct_rate(src, dst, on)
        if direct is not None:
            return FxQuote(direct[0], (direct[1],))
        for mid in sorted({q for (b, q) in self._pairs if b == src}):
            first, second = self._direct_rate(src, mid, on), self._direct_rate(mid, dst, on)
            if first is not None and second is not None:
                return FxQuote(first[0] * second[0], (first[1], second[1]))
        return None

    def convert(self, money: Money, *, to: str, on: date) -> float | None:
        """`money` in currency `to` at the rate valid on `on`, or None without a usable rate."""
        r = self.rate(from_currency=money.currency, to_currency=to, on=on)
        return None if r is None else money.amount * r


def sigmoid(x: float) -> float:
    """The logistic function, safe for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _contribution(result: FeatureResult, weights: Weights) -> float:
    """The suspicion log-odds of one finding; an identity-only signal contributes nothing."""
    if result.name not in weights.values and result.name in weights.identity:
        return 0.0
    return round(float(weights.weight(result.name) * result.value), DIGITS)


def combine(
    results: Iterable[FeatureResult],
    *,
    weights: Weights,
    identity: float = 1.0,
    otherwise: float = 0.0,
    expired: FeatureResult | None = None,
) -> tuple[float, tuple[Signal, ...]]:
    """Risk in [0, 1], `identity` (P(this product)) times P(infringing | product, context)
    plus (1 - `identity`) times `otherwise` (the risk were it another product), and the
    signals (largest |contribution| first) from feature results.

    With `expired`, only `weights.expired_factor` of the positive evidence counts;
    the discount is reported as its own signal.
    """
    signals = [
        Signal(r.name, _contribution(r, weights) + 0.0, r.detail, r.evidence) for r in results
    ]
    if expired is not None:
        positive = sum(s.contribution for s in signals if s.contribution > 0)
        discount = round(-positive * (1.0 - weights.expired_factor), DIGITS)
        signals.append(Signal(expired.name, discount + 0.0, expired.detail))
    signals.sort(key=lambda s: (-abs(s.contribution), s.name, s.detail))
    logit = weights.bias + math.fsum(s.contribution for s in signals)
    conditional = round(sigmoid(float(logit)), DIGITS)
    return round(identity * conditional + (1.0 - identity) * otherwise, DIGITS), tuple(signals)


def similarity(results: Sequence[FeatureResult], *, weights: Weights) -> float:
    """P(this product | identity evidence), in (0, 1): the logistic function of the identity
    prior plus each identity signal's log-odds weight times its value (suspicion-only
    signals say nothing of which product this is and are left out)."""
    terms = [
        round(float(weights.identity[r.name] * r.value), DIGITS)
        for r in results
        if r.name in weights.identity
    ]
    return round(sigmoid(weights.identity_bias + math.fsum(terms)), DIGITS)


def _logit(p: float) -> float:
    """The log-odds of a probability rounded to `DIGITS` decimals (kept finite at 0 and 1)."""
    q = min(max(p, 10.0**-DIGITS), 1.0 - 10.0**-DIGITS)
    return math.log(q / (1.0 - q))


def nearly_as_similar(sim: float, best: float, *, margin: float) -> bool:
    """Whether a match of similarity `sim` is within `margin` identity log-odds of the best
    match's `best`: the odds that the item is this product are at least exp(-margin) times
    the odds that it is the best one. Only such matches set the risk (the nearest product
    wins: the tray of 24 does not lend its price to the can declared)."""
    return _logit(sim) >= _logit(best) - margin


TRADE_CHECKS = frozenset(
    {
        "origin_authorized",
        "origin_unauthorized",
        "importer_authorized",
        "importer_not_authorized",
        "exporter_authorized",
        "exporter_not_authorized",
        "price_plausible",
        "price_below_range",
        "price_far_below_range",
    }
)
"""Signals that compare the declared trade (price, origin, parties) with the registration."""


def trade_checked(signals: Iterable[Signal]) -> bool:
    """Whether anything about the trade (price, origin, importer, exporter) was compared."""
    return any(s.name in TRADE_CHECKS for s in signals)


def decide(
    *, risk: float, implicated: bool, thresholds: Thresholds, checked: bool = True
) -> tuple[Verdict, Lane]:
    """Verdict and lane for a risk; `implicated` is whether any registered right is involved,
    `checked` whether anything about the trade was compared: a green item whose trade was
    not checked is `matched_unverified`, not "likely genuine"."""
    if not implicated:
        return "no_match", "green"
    if risk >= thresholds.red:
        return "likely_counterfeit", "red"
    if risk >= thresholds.yellow:
        return "suspicious", "yellow"
    return ("likely_genuine" if checked else "matched_unverified"), "green"
