"""The result of a screening: one typed record, the document the client gets and the rows stored.

`ScreeningRecord` is built once per scored item. Its `document` is both the HTTP
response body and the stored `result` column, so what a client was told is what
is kept; the screening row and the alert rows are derived from the same record.
`document_json` is that document serialised once (orjson): the row stores exactly
that text, the decision log digests it and the screening route sends its bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import orjson

from catalog.core.bulk import JsonText
from matchers.records import Assessment, Signal


@dataclass(frozen=True, slots=True)
class Versions:
    """What a result was scored against; equal versions reproduce it byte for byte."""

    catalog_version: int
    engine_version: str
    weights_version: str
    settings_version: int
    fx_version: int


@dataclass(frozen=True)
class ScreeningRecord:
    """One scored declared item: the engine's assessment with its id, versions and timing."""

    id: str
    reference: str | None
    assessment: Assessment
    versions: Versions
    took_ms: float
    created_at: datetime
    random_selection: bool = False  # chosen for inspection by the random control share

    @cached_property
    def document(self) -> dict[str, Any]:
        """The result as JSON, keys in contract order: the response body and the stored result."""
        v = self.versions
        return {
            "id": self.id,
            "reference": self.reference,
            **assessment_document(self.assessment),
            **({"random_selection": True} if self.random_selection else {}),
            "catalog_version": v.catalog_version,
            "engine_version": v.engine_version,
            "weights_version": v.weights_version,
            "settings_version": v.settings_version,
            "took_ms": self.took_ms,
            "created_at": self.created_at.isoformat(),
        }

    @cached_property
    def document_bytes(self) -> bytes:
        """The document serialised once: the response body, and the stored `result` text.

        orjson: compact, keys in the document's order, floats in their shortest
        round-trip form; it never writes NaN or Infinity (requests carrying them are
        refused at validation).
        """
        return orjson.dumps(self.document)

    @cached_property
    def document_json(self) -> JsonText:
        """`document_bytes` as the text the `result` column stores (decoded, not re-serialised)."""
        return JsonText(self.document_bytes.decode("utf-8"))

    def screening_row(
        self,
        *,
        api_key_id: str,
        client_role: str,
        request: Mapping[str, Any],
        declared_on: date,
        thresholds: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The `screening` row: who asked, the stored request, this result and its versions."""
        a, v = self.assessment, self.versions
        return {
            "id": self.id,
            "api_key_id": api_key_id,
            "client_role": client_role,
            "reference": self.reference,
            "declared_on": declared_on,
            "screened_on": self.created_at.date(),
            "request": dict(request),
            "result": self.document_json,
            "risk": a.risk,
            "verdict": a.verdict,
            "lane": a.lane,
            "catalog_version": v.catalog_version,
            "engine_version": v.engine_version,
            "weights_version": v.weights_version,
            "settings_version": v.settings_version,
            "fx_version": v.fx_version,
            "thresholds": thresholds,
            "took_ms": self.took_ms,
            "created_at": self.created_at,
        }

    def hit_rows(self) -> list[dict[str, Any]]:
        """One `screening_hit` row per implicated product, for the rights holders' alerts."""
        return [
            {
                "product_id": m.product_id,
                "rights_holder_id": m.rights_holder_id,
                "rank": rank,
                "similarity": m.similarity,
                "risk": m.risk,
                "screening_id": self.id,
                "created_at": self.created_at,
            }
            for rank, m in enumerate(self.assessment.matches)
        ]


def _signals(signals: Sequence[Signal]) -> list[dict[str, Any]]:
    # The sentence is for people; `evidence` (when a feature gives it) is the expert detail.
    return [
        {"name": s.name, "contribution": s.contribution, "detail": s.detail}
        | ({"evidence": dict(s.evidence)} if s.evidence else {})
        for s in signals
    ]


def assessment_document(assessment: Assessment) -> dict[str, Any]:
    """The engine's answer as JSON: what a rescore compares (no ids, times or versions)."""
    return {
        "risk": assessment.risk,
        "verdict": assessment.verdict,
        "lane": assessment.lane,
        "matches": [
            {
                "product_id": m.product_id,
                "brand": m.brand,
                "name": m.name,
                "similarity": m.similarity,
                "risk": m.risk,
                "signals": _signals(m.signals),
            }
            for m in assessment.matches
        ],
        "signals": _signals(assessment.signals),
    }


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any], *, path: str = "") -> list[str]:
    """Human-readable differences between two result documents, one line each."""
    out: list[str] = []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for k in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in old:
                out.append(f"+ {sub}: {new[k]!r}")
            elif k not in new:
                out.append(f"- {sub}: {old[k]!r}")
            else:
                out.extend(diff_documents(old[k], new[k], path=sub))
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(old):
                out.append(f"+ {sub}: {new[i]!r}")
            elif i >= len(new):
                out.append(f"- {sub}: {old[i]!r}")
            else:
                out.extend(diff_documents(old[i], new[i], path=sub))
    elif old != new:
        out.append(f"~ {path}: {old!r} -> {new!r}")
    return out
