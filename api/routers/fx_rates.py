"""Exchange rates (admin): official rates with validity dates, used by the price features."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import Admin, SessionDep
from api.errors import problem_responses
from api.schemas.operations import FxRatesIn, FxRatesOut
from catalog.screening import fx

router = APIRouter(prefix="/v1/fx-rates", tags=["exchange rates"])


@router.post(
    "", status_code=201, response_model=FxRatesOut, responses=problem_responses(401, 403, 422)
)
def load_rates(
    body: FxRatesIn, principal: Admin, session: SessionDep, request: Request
) -> FxRatesOut:
    """Load rates: one unit of `currency` is worth `rate` units of `quote` over the period.

    A rate with the same currency, quote and `valid_from` as a stored one replaces it.
    A declaration's price is converted with the rate valid on its `declared_on` date.
    Refused with 422: a rate whose `valid_to` is before its `valid_from`, or whose
    `currency` is its `quote`.
    """
    stored, version = fx.load_rates(
        session,
        actor=principal.actor,
        rates=[r.model_dump() for r in body.rates],
        source=body.source,
    )
    screening = getattr(request.app.state, "screening", None)
    if screening is not None:
        screening.holder.mark_dirty()
    return FxRatesOut(stored=stored, fx_version=version)
