"""The baseline for bench/http_screening.py: a bare async FastAPI endpoint, constant JSON.

It validates the same request model as the real route, so the ratio isolates what
screening adds: auth, the index lookup, scoring and the durable write.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.schemas.screening import ScreeningRequest

app = FastAPI()
CONSTANT = {"id": "0", "risk": 0.0, "verdict": "no_match", "lane": "green", "matches": []}


@app.post("/v1/screenings")
async def screen(body: ScreeningRequest) -> dict[str, object]:
    """Return a constant result."""
    return CONSTANT


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    """Always ready."""
    return {"status": "ready"}
