"""Fit the suspicion weights to recorded outcomes (`countermark calibrate`).

The model is the engine's (see `matchers.scoring`): for the riskiest match of a
screening, `risk = s * sigmoid(bias + sum(w[name] * value)) + (1 - s) * o`, with `s`
its similarity (1 at declaration level) and `o` the declaration-level risk of an
imitated brand. Only `bias` and the suspicion weights `w` are fitted; identity
strengths, cut-offs and the expiry discount stay as they are.

Data. Each screening with a latest outcome of `counterfeit` (1) or `genuine` (0)
gives one example; `inconclusive` ones and screenings that implicated nothing
(`no_match`, risk 0 by rule) are left out. A signal's value is its stored
contribution divided by its weight in the screening's own weights version (signals
of weight 0 there carry no recoverable value and count as 0). `o` is solved from
the stored risk. An expired registration's discount is kept as the share of
positive evidence it removed.

The fit. A penalised likelihood, by deterministic gradient steps:
- label noise: a recorded outcome is wrong with probability `label_noise`, so the
  likelihood of y is that of `eps + (1 - 2 eps) * risk` (robust to ~10% wrong
  outcomes, where plain logistic regression is pulled towards the mistakes);
- regularisation: a Gaussian prior centred on the current weights (`prior_sd` log-
  odds), so few outcomes move the weights little and a signal that never occurs
  keeps its weight;
- selection bias: officers inspect yellow and red items; green ones are inspected
  only when randomly selected (share `random_share`). A randomly selected green
  item stands for 1/share such items (inverse probability weighting, the weights
  scaled to sum to the number of examples so the prior keeps its say); with
  `random_only` (and enough of them) the fit uses the random share alone. A green
  item inspected for another reason is weighted 1.

Held-out outcomes (a fixed share by a hash of the screening id, so repeated runs
split the same way) are not fitted; AUC, Brier score and a reliability table are
reported on them before (the stored risk) and after (the model under the new weights).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlmodel import Session, col

from catalog.core.errors import Unprocessable
from catalog.learning import store
from catalog.models import Screening, ScreeningOutcome
from matchers.scoring import Weights

LABELS = {"counterfeit": 1.0, "genuine": 0.0}
EXPIRED = "registration_expired"
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Options:
    """How to fit: see the module docstring."""

    holdout: float = 0.3
    label_noise: float = 0.1
    prior_sd: float = 1.0
    random_only: bool = False
    min_random: int = 200
    steps: int = 3000
    min_outcomes: int = 30


@dataclass(frozen=True, slots=True)
class Example:
    """One outcome'd screening, as the fit sees it."""

    screening_id: str
    label: float
    values: Mapping[str, float]
    similarity: float
    otherwise: float
    expired_share: float  # share of the positive evidence an expired registration removed
    stored_risk: float
    weight: float  # inverse selection probability
    random: bool


@dataclass(frozen=True, slots=True)
class Metrics:
    """Scores of predicted risks against outcomes."""

    n: int
    auc: float | None
    brier: float
    reliability: list[tuple[float, float, int, float, float]]  # lo, hi, n, mean risk, observed


def improves(before: Metrics, after: Metrics) -> bool:
    """Whether the new weights do at least as well on the held-out outcomes: AUC not lower
    and Brier score not higher (with too few outcomes for an AUC, Brier alone decides)."""
    if after.n == 0:
        return False
    ranked = before.auc is None or after.auc is None or after.auc >= before.auc
    return ranked and after.brier <= before.brier


@dataclass
class Result:
    """A fitted weights version and how it scores on held-out outcomes."""

    weights: Weights
    fitted: int
    held_out: int
    dropped: dict[str, int]
    before: Metrics
    after: Metrics
    random_examples: int
    notes: list[str] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        """The JSON stored with the weights version."""
        return {
            "fitted": self.fitted,
            "held_out": self.held_out,
            "dropped": self.dropped,
            "random_examples": self.random_examples,
            "before": dataclasses.asdict(self.before),
            "after": dataclasses.asdict(self.after),
            "notes": self.notes,
        }


def _held_out(screening_id: str, share: float) -> bool:
    digest = hashlib.sha256(f"holdout:{screening_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _latest_outcomes(session: Session) -> dict[str, str]:
    stmt = select(col(ScreeningOutcome.screening_id), col(ScreeningOutcome.outcome)).order_by(
        col(ScreeningOutcome.created_at), col(ScreeningOutcome.id)
    )
    return {str(sid): str(outcome) for sid, outcome in session.execute(stmt)}


def _screenings(session: Session, ids: Sequence[str]) -> Iterator[Screening]:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        yield from session.execute(select(Screening).where(col(Screening.id).in_(chunk))).scalars()


def example_of(
    screening: Screening, label: float, weights: Weights, random_share: float
) -> Example | None:
    """The fit's view of a screening scored under `weights` (its own version); None when it
    implicated nothing."""
    result = screening.result
    if screening.verdict == "no_match":
        return None
    values: dict[str, float] = {}
    positive = 0.0
    discount = 0.0
    matches = result.get("matches") or []
    top = next((m for m in matches if float(m["risk"]) == float(screening.risk)), None)
    # the riskiest match's own findings (the top level holds only the declaration-level
    # ones); with no product identified, the brand-level finding's, at the top level
    signals = top.get("signals", ()) if top is not None else result.get("signals", ())
    for signal in signals:
        name, contribution = str(signal["name"]), float(signal["contribution"])
        if name == EXPIRED:
            discount = -contribution
            continue
        w = weights.values.get(name)
        if w:
            values[name] = values.get(name, 0.0) + contribution / w
            positive += max(contribution, 0.0)
    s = float(top["similarity"]) if top is not None else 1.0
    expired_share = discount / positive if positive > 0 else 0.0
    logit = weights.bias + sum(weights.values[k] * v for k, v in values.items()) - discount
    conditional = 1.0 / (1.0 + math.exp(-logit))
    otherwise = (
        min(max((float(screening.risk) - s * conditional) / (1.0 - s), 0.0), 1.0)
        if s < 1.0
        else 0.0
    )
    random = bool(result.get("random_selection"))
    weight = 1.0 / random_share if random and random_share > 0 else 1.0
    return Example(
        screening_id=screening.id,
        label=label,
        values=values,
        similarity=s,
        otherwise=otherwise,
        expired_share=min(max(expired_share, 0.0), 1.0),
        stored_risk=float(screening.risk),
        weight=weight,
        random=random,
    )


def load_examples(session: Session) -> tuple[list[Example], dict[str, int]]:
    """Every usable outcome'd screening, and how many were left out and why."""
    outcomes = _latest_outcomes(session)
    dropped = {"inconclusive": 0, "no_match": 0, "unknown_weights": 0}
    labelled = {sid: LABELS[o] for sid, o in outcomes.items() if o in LABELS}
    dropped["inconclusive"] = len(outcomes) - len(labelled)
    cache: dict[str, Weights | None] = {}
    examples: list[Example] = []
    for screening in _screenings(session, sorted(labelled)):
        version = screening.weights_version
        if version not in cache:
            try:
                cache[version] = store.resolve(session, version)
            except LookupError:
                cache[version] = None
        weights = cache[version]
        if weights is None:
            dropped["unknown_weights"] += 1
            continue
        share = float((screening.thresholds or {}).get("random_share") or 0.0)
        example = example_of(screening, labelled[screening.id], weights, share)
        if example is None:
            dropped["no_match"] += 1
        else:
            examples.append(example)
    examples.sort(key=lambda e: e.screening_id)
    return examples, dropped


def _design(
    examples: Sequence[Example], names: Sequence[str]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    x = np.array([[e.values.get(n, 0.0) for n in names] for e in examples], dtype=np.float64)
    x = x.reshape(len(examples), len(names))
    y = np.array([e.label for e in examples], dtype=np.float64)
    s = np.array([e.similarity for e in examples], dtype=np.float64)
    o = np.array([e.otherwise for e in examples], dtype=np.float64)
    keep = np.array([1.0 - e.expired_share for e in examples], dtype=np.float64)
    c = np.array([e.weight for e in examples], dtype=np.float64)
    return x, y, s, o, keep, c


def _predict(
    params: FloatArray, x: FloatArray, s: FloatArray, o: FloatArray, keep: FloatArray
) -> FloatArray:
    terms = x * params[1:]
    positive = np.where(terms > 0, terms, 0.0).sum(axis=1)
    logit = params[0] + terms.sum(axis=1) - (1.0 - keep) * positive
    conditional = 1.0 / (1.0 + np.exp(-np.clip(logit, -30.0, 30.0)))
    out: FloatArray = s * conditional + (1.0 - s) * o
    return out


def fit(
    examples: Sequence[Example], *, start: Weights, names: Sequence[str], options: Options
) -> FloatArray:
    """The fitted [bias, weights...] (deterministic: full-batch Adam from `start`)."""
    x, y, s, o, keep, c = _design(examples, names)
    prior = np.array([start.bias, *(start.values[n] for n in names)], dtype=np.float64)
    params = prior.copy()
    c = c * (len(c) / float(c.sum()))  # stabilised: the weights sum to the examples' number,
    # so up-weighting the random share does not outweigh the prior as if there were more data
    eps = options.label_noise
    inv_var = 1.0 / options.prior_sd**2
    total = float(c.sum())
    m = np.zeros_like(params)
    v = np.zeros_like(params)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for step in range(1, options.steps + 1):
        terms = x * params[1:]
        is_pos = terms > 0
        positive = np.where(is_pos, terms, 0.0).sum(axis=1)
        logit = params[0] + terms.sum(axis=1) - (1.0 - keep) * positive
        sig = 1.0 / (1.0 + np.exp(-np.clip(logit, -30.0, 30.0)))
        risk = s * sig + (1.0 - s) * o
        q = np.clip(eps + (1.0 - 2.0 * eps) * risk, 1e-9, 1.0 - 1e-9)
        # d(-log lik)/dq, then the chain down to the logit
        dq = c * (-(y / q) + (1.0 - y) / (1.0 - q))
        dlogit = dq * (1.0 - 2.0 * eps) * s * sig * (1.0 - sig)
        dterms = 1.0 - (1.0 - keep)[:, None] * is_pos  # d logit / d term
        grad = np.empty_like(params)
        grad[0] = dlogit.sum()
        grad[1:] = ((dlogit[:, None] * dterms) * x).sum(axis=0)
        grad = grad + inv_var * (params - prior)
        grad /= total
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        params = params - lr * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + 1e-8)
    return params


def auc(scores: Sequence[float], labels: Sequence[float]) -> float | None:
    """The area under the ROC curve (ties count half); None without both classes."""
    pos = [sc for sc, y in zip(scores, labels, strict=True) if y == 1.0]
    neg = [sc for sc, y in zip(scores, labels, strict=True) if y == 0.0]
    if not pos or not neg:
        return None
    ranked = sorted([(sc, 1) for sc in pos] + [(sc, 0) for sc in neg])
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + 1 + j) / 2.0  # mean 1-based rank of the tie group
        rank_sum += mid * sum(1 for k in range(i, j) if ranked[k][1] == 1)
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg))


def metrics(scores: Sequence[float], labels: Sequence[float], *, bins: int = 10) -> Metrics:
    """AUC, Brier score and a reliability table (equal-width risk bins that hold items)."""
    n = len(scores)
    brier = sum((sc - y) ** 2 for sc, y in zip(scores, labels, strict=True)) / n if n else 0.0
    table: list[tuple[float, float, int, float, float]] = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [
            (sc, y)
            for sc, y in zip(scores, labels, strict=True)
            if lo <= sc < hi or (b == bins - 1 and sc == 1.0)
        ]
        if inside:
            mean = sum(sc for sc, _ in inside) / len(inside)
            observed = sum(y for _, y in inside) / len(inside)
            table.append((lo, hi, len(inside), round(mean, 4), round(observed, 4)))
    return Metrics(n=n, auc=auc(scores, labels), brier=round(brier, 6), reliability=table)


def calibrate(
    session: Session, *, current: Weights, version: str, options: Options = Options()
) -> Result:
    """Fit new weights to the recorded outcomes (starting from, and regularised to, `current`)."""
    examples, dropped = load_examples(session)
    if len(examples) < options.min_outcomes:
        raise Unprocessable(
            f"{len(examples)} usable outcomes recorded; calibration needs at least "
            f"{options.min_outcomes} (counterfeit or genuine, on screenings that matched)"
        )
    held = [e for e in examples if _held_out(e.screening_id, options.holdout)]
    train = [e for e in examples if not _held_out(e.screening_id, options.holdout)]
    notes: list[str] = []
    randoms = [e for e in train if e.random]
    if options.random_only:
        if len(randoms) >= options.min_random:
            train = randoms
            notes.append(f"fitted on the {len(randoms)} randomly selected outcomes only")
        else:
            notes.append(
                f"only {len(randoms)} randomly selected outcomes (< {options.min_random}): "
                "fitted on all, weighting random ones by 1/share"
            )
    if not held or not train:
        raise Unprocessable("too few outcomes to hold some out and fit on the rest")
    names = sorted(n for n in current.values if any(n in e.values for e in train))
    params = fit(train, start=current, names=names, options=options)
    values = dict(current.values) | {
        n: round(float(w), 4) for n, w in zip(names, params[1:], strict=True)
    }
    fitted = dataclasses.replace(
        current, version=version, bias=round(float(params[0]), 4), values=values
    )
    x, y, s, o, keep, _ = _design(held, names)
    after = _predict(np.array([fitted.bias, *(fitted.values[n] for n in names)]), x, s, o, keep)
    labels = [float(v) for v in y]
    return Result(
        weights=fitted,
        fitted=len(train),
        held_out=len(held),
        dropped=dropped,
        before=metrics([e.stored_risk for e in held], labels),
        after=metrics([round(float(r), 4) for r in after], labels),
        random_examples=len(randoms),
        notes=notes,
    )


def calibrate_and_save(
    session: Session,
    *,
    current: Weights,
    options: Options = Options(),
    note: str | None = None,
    version: str | None = None,
) -> Result:
    """Fit and store the new weights version as a candidate (with its held-out report)."""
    name = version or store.next_name(session)
    result = calibrate(session, current=current, version=name, options=options)
    text = note or (
        f"calibrated from {result.fitted} outcomes on {current.version}, {result.held_out} held out"
    )
    store.save_version(session, weights=result.weights, note=text, report=result.report())
    return result
