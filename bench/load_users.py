"""The locustfile of bench/load.py: customs clients posting screenings at a steady rate.

Configured by environment (bench/load.py sets it): CM_LOAD_KEY (a customs key),
CM_LOAD_BODIES (a JSON list of request bodies, sent in turn), CM_LOAD_USER_RPS (each
user's rate; 0 = as fast as answers come) and CM_LOAD_OUT (where the summary goes).
Every answer is recorded (status, seconds, error) in this process and summarised at
exit: 201 accepted, 429/503 with Retry-After shed, anything else (or no answer within
CM_LOAD_TIMEOUT seconds) an error. Percentiles are exact, of the accepted answers.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, constant_throughput, events, task

BODIES: list[str] = json.loads(Path(os.environ["CM_LOAD_BODIES"]).read_text())
_NEXT = itertools.count()
RECORDS: list[tuple[float, int, float, str]] = []  # (sent at, status, seconds, error)
SHED = frozenset({429, 503})
USER_RPS = float(os.environ.get("CM_LOAD_USER_RPS", "0"))


class Customs(FastHttpUser):
    """One customs system declaring items, each its own connection."""

    wait_time = constant_throughput(USER_RPS) if USER_RPS > 0 else constant(0)
    network_timeout = float(os.environ.get("CM_LOAD_TIMEOUT", "10"))
    connection_timeout = network_timeout

    @task
    def screen(self) -> None:
        body = BODIES[next(_NEXT) % len(BODIES)]
        headers = {
            "Authorization": f"Bearer {os.environ['CM_LOAD_KEY']}",
            "Content-Type": "application/json",
        }
        sent = time.monotonic()
        with self.client.post(
            "/v1/screenings", data=body, headers=headers, catch_response=True
        ) as response:
            seconds = time.monotonic() - sent
            status = response.status_code or 0
            error = ""
            if status in SHED and not response.headers.get("Retry-After"):
                error = "shed without Retry-After"
            elif status == 0:
                error = str(response.error) or "no answer"
            elif status != 201 and status not in SHED:
                error = f"status {status}"
            RECORDS.append((sent, status, seconds, error))
            if status in SHED:
                response.success()  # shedding is the answer we ask for under overload


def percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0-100) of sorted values, in the values' unit."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def summarise(records: list[tuple[float, int, float, str]]) -> dict[str, Any]:
    """Counts by outcome, achieved rates and exact latency percentiles of accepted answers."""
    if not records:
        return {"requests": 0}
    start = min(r[0] for r in records)
    span = max(r[0] + r[2] for r in records) - start
    accepted = sorted(r[2] * 1000 for r in records if r[1] == 201)
    shed = sorted(r[2] * 1000 for r in records if r[1] in SHED and not r[3])
    errors: dict[str, int] = {}
    for r in records:
        if r[3]:
            errors[r[3]] = errors.get(r[3], 0) + 1
    statuses: dict[str, int] = {}
    for r in records:
        statuses[str(r[1])] = statuses.get(str(r[1]), 0) + 1
    return {
        "requests": len(records),
        "seconds": span,
        "statuses": statuses,
        "accepted": len(accepted),
        "shed": len(shed),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "offered_rps": len(records) / span if span else float("nan"),
        "accepted_rps": len(accepted) / span if span else float("nan"),
        "shed_share": len(shed) / len(records),
        "p50_ms": percentile(accepted, 50),
        "p95_ms": percentile(accepted, 95),
        "p99_ms": percentile(accepted, 99),
        "max_ms": accepted[-1] if accepted else float("nan"),
        "shed_p99_ms": percentile(shed, 99),
    }


@events.quitting.add_listener
def _write_summary(**_: Any) -> None:
    Path(os.environ["CM_LOAD_OUT"]).write_text(json.dumps(summarise(RECORDS), indent=1))
