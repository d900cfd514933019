"""The operator's scoring settings: versioned rows, every change audited.

A settings version holds the lane thresholds and, beside them, which weights version
scores (`weights_version`, absent: the shipped weights), which one is shadowed
(`shadow_weights_version`) and the capacity of the inspection teams (`red_share`,
`yellow_share`, `random_share`, `capacity_window`; see `catalog.learning.capacity`).
Workers reload the whole snapshot when the settings version moves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from catalog.access import audit
from catalog.core.errors import Unprocessable
from catalog.learning import store
from catalog.models import ScoringSettingsVersion
from catalog.screening import repository
from matchers.engine import DEFAULT_THRESHOLDS
from matchers.scoring import DEFAULT_WEIGHTS, Thresholds, Weights

EDITABLE = ("yellow", "red", "min_similarity")
# stored beside the thresholds in the same settings version
WEIGHTS_KEYS = ("weights_version", "shadow_weights_version")
CAPACITY_KEYS = ("red_share", "yellow_share", "random_share", "capacity_window")


@dataclass(frozen=True, slots=True)
class Capacity:
    """Shares of recent traffic the inspection teams can take, and the random control share."""

    red_share: float | None = None
    yellow_share: float | None = None
    random_share: float = 0.0
    window: int = 10_000

    @property
    def lanes_follow_traffic(self) -> bool:
        """Whether the thresholds are derived from the recent risks (both shares set)."""
        return self.red_share is not None and self.yellow_share is not None


def capacity_from_json(data: Mapping[str, Any]) -> Capacity:
    """The capacity settings stored with a settings version (absent: none set)."""

    def share(key: str) -> float | None:
        value = data.get(key)
        return None if value is None else float(value)

    return Capacity(
        red_share=share("red_share"),
        yellow_share=share("yellow_share"),
        random_share=float(data.get("random_share") or 0.0),
        window=int(data.get("capacity_window") or 10_000),
    )


@dataclass(frozen=True, slots=True)
class ScoringSnapshot:
    """The settings in force: their version (0 = built-in defaults) and thresholds."""

    version: int
    thresholds: Thresholds
    updated_at: datetime | None = None
    weights: Weights = DEFAULT_WEIGHTS
    shadow: Weights | None = None
    capacity: Capacity = Capacity()
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # stored beside thresholds


def thresholds_from_json(data: Mapping[str, Any]) -> Thresholds:
    """Thresholds from their stored JSON; unknown keys are ignored, missing ones default."""
    names = {f.name for f in dataclasses.fields(Thresholds)}
    return Thresholds(**{k: v for k, v in data.items() if k in names})


def thresholds_to_json(thresholds: Thresholds) -> dict[str, Any]:
    """The JSON form of thresholds, as stored with every screening."""
    return dataclasses.asdict(thresholds)


def screening_thresholds_json(snapshot: ScoringSnapshot) -> dict[str, Any]:
    """What a screening records of the settings it used: the thresholds, and the random
    share when one is set (calibration weights its random selections by it)."""
    out = thresholds_to_json(snapshot.thresholds)
    if snapshot.capacity.random_share > 0:
        out["random_share"] = snapshot.capacity.random_share
    return out


def current_settings(conn: Connection | Session) -> ScoringSnapshot:
    """The settings in force."""
    row = repository.newest_settings(conn)
    if row is None:
        return ScoringSnapshot(version=0, thresholds=DEFAULT_THRESHOLDS)
    version, thresholds, updated_at = row
    shadow = thresholds.get("shadow_weights_version")
    return ScoringSnapshot(
        version=int(version),
        thresholds=thresholds_from_json(thresholds),
        updated_at=updated_at,
        weights=store.resolve(conn, thresholds.get("weights_version")),
        shadow=None if shadow is None else store.resolve(conn, shadow),
        capacity=capacity_from_json(thresholds),
        extra={k: thresholds[k] for k in (*WEIGHTS_KEYS, *CAPACITY_KEYS) if k in thresholds},
    )


def update_settings(
    session: Session, *, actor: str, api_key_id: str | None, changes: Mapping[str, Any]
) -> ScoringSnapshot:
    """Store a new settings version from `changes` (merged over the current ones); audited."""
    return _store(
        session,
        actor=actor,
        api_key_id=api_key_id,
        changes=changes,
        action="settings.scoring.update",
    )


def _store(
    session: Session,
    *,
    actor: str,
    api_key_id: str | None,
    changes: Mapping[str, Any],
    action: str,
    extra: Mapping[str, Any] | None = None,
) -> ScoringSnapshot:
    """A new settings version: `changes` to the thresholds and `extra` (weights, capacity)
    merged over the current ones; `None` in `extra` removes a key. Audited as `action`."""
    audit.lock_version(session)  # serialises concurrent updates with the audit chain's lock
    current = current_settings(session)
    merged = thresholds_to_json(current.thresholds)
    merged.update({k: float(v) for k, v in changes.items() if k in EDITABLE and v is not None})
    thresholds = thresholds_from_json(merged)
    if not 0.0 <= thresholds.yellow <= thresholds.red <= 1.0:
        raise Unprocessable("thresholds must satisfy 0 <= yellow <= red <= 1")
    beside = dict(current.extra)
    for key, value in (extra or {}).items():
        if value is None:
            beside.pop(key, None)
        else:
            beside[key] = value
    version = current.version + 1
    now = datetime.now(UTC)
    note = changes.get("note")
    stored = thresholds_to_json(thresholds) | beside
    repository.add_settings(
        session,
        row=ScoringSettingsVersion(
            version=version,
            thresholds=stored,
            api_key_id=api_key_id,
            note=str(note) if note else None,
            created_at=now,
        ),
    )
    audit.append_event(
        session,
        actor=actor,
        action=action,
        entity_type="scoring_settings",
        entity_id=str(version),
        change={
            "version": version,
            "before": thresholds_to_json(current.thresholds) | dict(current.extra),
            "after": stored,
        },
    )
    return current_settings(session)


def switch_weights(
    session: Session,
    *,
    actor: str,
    active: str | None = None,
    shadow: str | None = None,
    stop_shadow: bool = False,
) -> ScoringSnapshot:
    """Activate a weights version and/or shadow one (a new settings version, audited)."""
    current = current_settings(session)
    extra: dict[str, Any] = {}
    if active is not None:
        store.resolve(session, active)  # NotFound for an unknown version
        store.set_status(session, version=active, status="active")
        if current.weights.version != active:
            store.set_status(session, version=current.weights.version, status="retired")
        extra["weights_version"] = active
        if current.shadow is not None and current.shadow.version == active:
            extra["shadow_weights_version"] = None  # the shadowed version now scores
    if shadow is not None:
        if shadow == (active or current.weights.version):
            raise Unprocessable(f"weights version {shadow} is the active one")
        store.resolve(session, shadow)
        store.set_status(session, version=shadow, status="shadow")
        extra["shadow_weights_version"] = shadow
    elif stop_shadow:
        extra["shadow_weights_version"] = None
    action = "weights.activate" if active is not None else "weights.shadow"
    return _store(session, actor=actor, api_key_id=None, changes={}, action=action, extra=extra)


def set_capacity(session: Session, *, actor: str, changes: Mapping[str, Any]) -> ScoringSnapshot:
    """Set the capacity shares (None removes one); a new settings version, audited."""
    extra = {k: changes[k] for k in CAPACITY_KEYS if k in changes}
    merged = capacity_from_json(dict(current_settings(session).extra) | extra)
    shares = [s for s in (merged.red_share, merged.yellow_share) if s is not None]
    if any(not 0.0 < s < 1.0 for s in shares) or sum(shares) >= 1.0:
        raise Unprocessable("red_share and yellow_share must be in (0, 1) and sum below 1")
    if not 0.0 <= merged.random_share < 1.0:
        raise Unprocessable("random_share must be in [0, 1)")
    if merged.window < 100:
        raise Unprocessable("capacity_window must be at least 100 screenings")
    return _store(
        session, actor=actor, api_key_id=None, changes={}, action="settings.capacity", extra=extra
    )
