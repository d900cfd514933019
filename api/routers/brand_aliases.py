"""Brand aliases of a rights holder (its own keys, or an admin naming the holder)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import ActingHolder, HolderParam, RightsHolderOrAdmin, SessionDep
from api.errors import problem_responses
from api.schemas.products import BrandAliasCreate, BrandAliasList, BrandAliasRead
from catalog.products import brand_aliases

router = APIRouter(prefix="/v1/brand-aliases", tags=["brand aliases"])


@router.post(
    "",
    status_code=201,
    response_model=BrandAliasRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def create(
    body: BrandAliasCreate,
    principal: RightsHolderOrAdmin,
    holder: ActingHolder,
    session: SessionDep,
) -> BrandAliasRead:
    """Register an alias of one of your brands (matched like the brand itself).

    An admin names the rights holder it acts for in `rights_holder_id` (422 without it);
    a rights holder may leave it out or name only its own (422 for another).
    """
    row = brand_aliases.add_alias(
        session,
        principal=principal,
        rights_holder_id=holder,
        brand=body.brand,
        alias=body.alias,
    )
    return BrandAliasRead.model_validate(row, from_attributes=True)


@router.get("", response_model=BrandAliasList, responses=problem_responses(401, 403))
def list_all(
    principal: RightsHolderOrAdmin, session: SessionDep, rights_holder_id: HolderParam = None
) -> BrandAliasList:
    """Your brand aliases."""
    rows = brand_aliases.list_aliases(
        session, principal=principal, rights_holder_id=rights_holder_id
    )
    return BrandAliasList(
        items=[BrandAliasRead.model_validate(r, from_attributes=True) for r in rows]
    )


@router.delete("/{alias_id}", status_code=204, responses=problem_responses(401, 403, 404))
def remove(alias_id: str, principal: RightsHolderOrAdmin, session: SessionDep) -> Response:
    """Remove one of your brand aliases."""
    brand_aliases.remove_alias(session, principal=principal, alias_id=alias_id)
    return Response(status_code=204)
