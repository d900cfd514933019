"""The baseline of bench/http_screening.py: the barest FastAPI screening endpoint.

`def screen(body: dict) -> dict` returning a constant (issue 14's baseline): FastAPI
still parses the JSON body, runs the sync handler in its thread pool and serialises
the answer, so the ratio isolates what Countermark adds (auth, validation, the index,
scoring, the durable write, middleware).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()
CONSTANT = {"id": "0", "risk": 0.0, "verdict": "no_match", "lane": "green", "matches": []}


@app.post("/v1/screenings")
def screen(body: dict[str, Any]) -> dict[str, Any]:
    """Return a constant result."""
    return CONSTANT


@app.get("/readyz")
def readyz() -> dict[str, str]:
    """Always ready."""
    return {"status": "ready"}
