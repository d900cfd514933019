"""Stored weights versions: save, list, resolve by name, mark shadow or active (audited).

The weights the engine ships with (`DEFAULT_WEIGHTS`) are always resolvable by their
version name and are what screens until another version is activated. Which version
is active or shadowed is part of the operator's scoring settings (a new settings
version, see `catalog.screening.thresholds`), so every worker picks a switch up the
way it picks up a threshold change, and each screening's `settings_version` and
`weights_version` say what scored it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlmodel import Session, col

from catalog.core.errors import Conflict, NotFound, Unprocessable
from catalog.models import WeightsVersion
from matchers.weights import DEFAULT_WEIGHTS, FeatureConfig, Weights

STATUSES = ("candidate", "shadow", "active", "retired")


def weights_to_json(weights: Weights) -> dict[str, Any]:
    """The JSON form of a weights version (every number that changes a result)."""
    return {
        "version": weights.version,
        "bias": weights.bias,
        "expired_factor": weights.expired_factor,
        "values": dict(sorted(weights.values.items())),
        "identity": dict(sorted(weights.identity.items())),
        "identity_bias": weights.identity_bias,
        "config": dataclasses.asdict(weights.config),
    }


def weights_from_json(data: Mapping[str, Any]) -> Weights:
    """Weights from their JSON form; missing config fields take the shipped defaults. A version
    stored before identity became a log-odds model (no `identity_bias`) holds noisy-OR
    strengths, which mean nothing as log-odds: it takes the shipped identity model (the
    fit never changed identity, so its suspicion weights and prior are kept)."""
    config = dataclasses.asdict(DEFAULT_WEIGHTS.config) | dict(data.get("config") or {})
    if "identity_bias" in data:
        identity = {str(k): float(v) for k, v in dict(data["identity"]).items()}
        identity_bias = float(data["identity_bias"])
    else:
        identity, identity_bias = dict(DEFAULT_WEIGHTS.identity), DEFAULT_WEIGHTS.identity_bias
    return Weights(
        version=str(data["version"]),
        values={str(k): float(v) for k, v in dict(data["values"]).items()},
        bias=float(data["bias"]),
        expired_factor=float(data["expired_factor"]),
        identity=identity,
        identity_bias=identity_bias,
        config=FeatureConfig(**config),
    )


def resolve(conn: Connection | Session, version: str | None) -> Weights:
    """The weights of `version` (None or the shipped version: `DEFAULT_WEIGHTS`)."""
    if version is None or version == DEFAULT_WEIGHTS.version:
        return DEFAULT_WEIGHTS
    stmt = select(col(WeightsVersion.weights)).where(col(WeightsVersion.version) == version)
    data = conn.execute(stmt).scalar_one_or_none()
    if data is None:
        raise NotFound(f"weights version {version} does not exist")
    return weights_from_json(data)


def list_versions(session: Session) -> Sequence[WeightsVersion]:
    """Every stored weights version, newest first."""
    stmt = select(WeightsVersion).order_by(col(WeightsVersion.created_at).desc())
    return session.execute(stmt).scalars().all()


def get_version(session: Session, version: str) -> WeightsVersion:
    """One stored weights version, or NotFound."""
    row = session.get(WeightsVersion, version)
    if row is None:
        raise NotFound(f"weights version {version} does not exist")
    return row


def next_name(session: Session, *, today: str | None = None) -> str:
    """A new version name: the date and the next free counter ("2026-12-02.1")."""
    day = today or datetime.now(UTC).date().isoformat()
    taken = {DEFAULT_WEIGHTS.version, *(row.version for row in list_versions(session))}
    n = 1
    while f"{day}.{n}" in taken:
        n += 1
    return f"{day}.{n}"


def save_version(
    session: Session, *, weights: Weights, note: str | None, report: Mapping[str, Any] | None
) -> WeightsVersion:
    """Store a new weights version as a candidate."""
    taken = session.get(WeightsVersion, weights.version) is not None
    if taken or weights.version == DEFAULT_WEIGHTS.version:
        raise Conflict(f"weights version {weights.version} already exists")
    row = WeightsVersion(
        version=weights.version,
        weights=weights_to_json(weights),
        status="candidate",
        note=note,
        report=dict(report) if report is not None else None,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row


def set_status(session: Session, *, version: str, status: str) -> None:
    """Mark a stored version; an active or shadow version's predecessor in that role retires."""
    if status not in STATUSES:
        raise Unprocessable(f"status must be one of {', '.join(STATUSES)}")
    if version == DEFAULT_WEIGHTS.version:
        return  # the shipped weights are not a row; they are active while no row is
    get_version(session, version)
    if status in ("active", "shadow"):
        session.execute(
            update(WeightsVersion)
            .where(col(WeightsVersion.status) == status, col(WeightsVersion.version) != version)
            .values(status="retired")
        )
    session.execute(
        update(WeightsVersion).where(col(WeightsVersion.version) == version).values(status=status)
    )
    session.flush()
