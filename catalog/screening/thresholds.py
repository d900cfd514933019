"""The operator's scoring settings (lane thresholds): versioned rows, every change audited."""

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
from catalog.models import ScoringSettingsVersion
from catalog.screening import repository
from matchers.engine import DEFAULT_THRESHOLDS
from matchers.scoring import Thresholds

EDITABLE = ("yellow", "red", "min_similarity")


@dataclass(frozen=True, slots=True)
class ScoringSnapshot:
    """The settings in force: their version (0 = built-in defaults) and thresholds."""

    version: int
    thresholds: Thresholds
    updated_at: datetime | None = None


def thresholds_from_json(data: Mapping[str, Any]) -> Thresholds:
    """Thresholds from their stored JSON; unknown keys are ignored, missing ones default."""
    names = {f.name for f in dataclasses.fields(Thresholds)}
    return Thresholds(**{k: v for k, v in data.items() if k in names})


def thresholds_to_json(thresholds: Thresholds) -> dict[str, Any]:
    """The JSON form of thresholds, as stored with every screening."""
    return dataclasses.asdict(thresholds)


def current_settings(conn: Connection | Session) -> ScoringSnapshot:
    """The settings in force."""
    row = repository.newest_settings(conn)
    if row is None:
        return ScoringSnapshot(version=0, thresholds=DEFAULT_THRESHOLDS)
    version, thresholds, updated_at = row
    return ScoringSnapshot(
        version=int(version), thresholds=thresholds_from_json(thresholds), updated_at=updated_at
    )


def update_settings(
    session: Session, *, actor: str, api_key_id: str | None, changes: Mapping[str, Any]
) -> ScoringSnapshot:
    """Store a new settings version from `changes` (merged over the current ones); audited."""
    audit.lock_version(session)  # serialises concurrent updates with the audit chain's lock
    current = current_settings(session)
    merged = thresholds_to_json(current.thresholds)
    merged.update({k: float(v) for k, v in changes.items() if k in EDITABLE and v is not None})
    thresholds = thresholds_from_json(merged)
    if not 0.0 <= thresholds.yellow <= thresholds.red <= 1.0:
        raise Unprocessable("thresholds must satisfy 0 <= yellow <= red <= 1")
    version = current.version + 1
    now = datetime.now(UTC)
    note = changes.get("note")
    repository.add_settings(
        session,
        row=ScoringSettingsVersion(
            version=version,
            thresholds=thresholds_to_json(thresholds),
            api_key_id=api_key_id,
            note=str(note) if note else None,
            created_at=now,
        ),
    )
    audit.append_event(
        session,
        actor=actor,
        action="settings.scoring.update",
        entity_type="scoring_settings",
        entity_id=str(version),
        change={
            "version": version,
            "before": thresholds_to_json(current.thresholds),
            "after": thresholds_to_json(thresholds),
        },
    )
    return ScoringSnapshot(version=version, thresholds=thresholds, updated_at=now)
