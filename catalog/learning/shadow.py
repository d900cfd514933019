"""Shadow scoring: live screenings scored again under the shadow weights, off the response path.

While a weights version is shadowed (`countermark weights shadow VERSION`), each scored
item is queued here; a background task on the worker's event loop (where the index is
read) assesses the queued items under the shadow weights a few at a time, between
requests, and stores one `shadow_score` row each through the group-commit writer. The
response never waits for it. `shadow_report` counts how often the lane would change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel import Session, col

from catalog.models import ShadowScore, table_of
from matchers.records import Assessment, Declaration
from matchers.scoring import FxRates, Thresholds, Weights

log = logging.getLogger(__name__)

SHADOW_TABLE = table_of(ShadowScore)
LANES = ("green", "yellow", "red")


@dataclass(frozen=True, slots=True)
class ShadowJob:
    """One live screening to score again under the shadow weights."""

    screening_id: str
    declaration: Declaration
    live_lane: str
    thresholds: Thresholds
    fx: FxRates
    today: date


class ShadowScorer:
    """Queues live screenings and scores them under the shadow weights in the background."""

    def __init__(
        self,
        *,
        assess: Callable[..., Assessment],
        index: Callable[[], Any],
        write: Callable[[dict[Table, list[dict[str, Any]]]], Any],
        max_queue: int = 10_000,
        chunk: int = 20,
    ) -> None:
        self._assess = assess
        self._index = index
        self._write = write
        self._queue: list[tuple[ShadowJob, Weights]] = []
        self._task: asyncio.Task[None] | None = None
        self.max_queue = max_queue
        self.chunk = chunk
        self.dropped = 0  # jobs not scored because the queue was full (a shadow is a sample)

    def submit(self, job: ShadowJob, weights: Weights) -> None:
        """Queue a job; starts the background task on the running loop if none runs."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a CLI or a thread): shadow scoring is for workers
            return
        if len(self._queue) >= self.max_queue:
            self.dropped += 1
            return
        self._queue.append((job, weights))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())

    async def idle(self) -> None:
        """Wait until every queued job is scored and stored (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # let the request that queued the job answer first
        while self._queue:
            batch, self._queue = self._queue[: self.chunk], self._queue[self.chunk :]
            rows = [self._score(job, weights) for job, weights in batch]
            try:
                await self._write({SHADOW_TABLE: rows})
            except Exception:  # a shadow score is a measurement: losing one loses no decision
                log.exception("storing %d shadow scores failed", len(rows))
            await asyncio.sleep(0)

    def _score(self, job: ShadowJob, weights: Weights) -> dict[str, Any]:
        assessment = self._assess(
            job.declaration,
            index=self._index(),
            weights=weights,
            thresholds=job.thresholds,
            fx=job.fx,
            today=job.today,
        )
        return {
            "screening_id": job.screening_id,
            "weights_version": weights.version,
            "risk": assessment.risk,
            "lane": assessment.lane,
            "live_lane": job.live_lane,
            "created_at": datetime.now(UTC),
        }


@dataclass(frozen=True, slots=True)
class ShadowReport:
    """How the shadow version's lanes compare with the live ones."""

    weights_version: str
    scored: int
    changes: dict[tuple[str, str], int]  # (live lane, shadow lane) -> count

    @property
    def changed(self) -> int:
        """Screenings whose lane would differ under the shadow version."""
        return sum(n for (live, shadow), n in self.changes.items() if live != shadow)

    @property
    def changed_share(self) -> float:
        """The share of shadow-scored screenings whose lane would differ."""
        return self.changed / self.scored if self.scored else 0.0

    def lines(self) -> list[str]:
        """The report as text lines: the totals, then a live-by-shadow lane table."""
        out = [
            f"weights {self.weights_version}: {self.scored} live screenings scored in shadow, "
            f"{self.changed} would change lane ({self.changed_share:.1%})"
        ]
        if self.scored:
            out.append("live \\ shadow " + "".join(f"{lane:>9}" for lane in LANES))
            for live in LANES:
                counts = "".join(f"{self.changes.get((live, s), 0):>9}" for s in LANES)
                out.append(f"{live:<14}{counts}")
        return out


def shadow_report(session: Session, *, weights_version: str) -> ShadowReport:
    """Counts of (live lane, shadow lane) over every shadow score of a version."""
    stmt = (
        select(col(ShadowScore.live_lane), col(ShadowScore.lane), func.count())
        .where(col(ShadowScore.weights_version) == weights_version)
        .group_by(col(ShadowScore.live_lane), col(ShadowScore.lane))
    )
    changes = {(str(a), str(b)): int(n) for a, b, n in session.execute(stmt).all()}
    return ShadowReport(
        weights_version=weights_version, scored=sum(changes.values()), changes=changes
    )
