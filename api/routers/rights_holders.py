"""Rights holders (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Admin, SessionDep
from api.errors import problem_responses
from api.schemas.access import RightsHolderCreate, RightsHolderPage, RightsHolderRead
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.products.rights_holders import create_rights_holder, list_rights_holders

router = APIRouter(prefix="/v1/rights-holders", tags=["rights holders"])


@router.post(
    "",
    status_code=201,
    response_model=RightsHolderRead,
    responses=problem_responses(401, 403, 422),
)
def create(body: RightsHolderCreate, principal: Admin, session: SessionDep) -> RightsHolderRead:
    """Register a rights holder."""
    holder = create_rights_holder(
        session, actor=principal.actor, name=body.name, contact_email=body.contact_email
    )
    return RightsHolderRead.model_validate(holder, from_attributes=True)


@router.get("", response_model=RightsHolderPage, responses=problem_responses(401, 403, 422))
def list_all(
    principal: Admin,
    session: SessionDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RightsHolderPage:
    """List rights holders, oldest first."""
    rows = list_rights_holders(session, after=decode_cursor(cursor), limit=limit + 1)
    items = [RightsHolderRead.model_validate(r, from_attributes=True) for r in rows[:limit]]
    more = len(rows) > limit
    return RightsHolderPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)
