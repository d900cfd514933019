"""Brand ownership (admin): assign or transfer a brand to a rights holder, audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import Admin, SessionDep
from api.errors import problem_responses
from api.schemas.brands import BrandOwnerAssign, BrandOwnerRead
from catalog.core.errors import Unprocessable
from catalog.products.ownership import assign_brand
from catalog.products.validation import clean_text

router = APIRouter(prefix="/v1/brands", tags=["brands"])
BrandPath = Annotated[str, Path(min_length=1, max_length=300)]


@router.post(
    "/{brand}/owner", response_model=BrandOwnerRead, responses=problem_responses(401, 403, 404, 422)
)
def assign_owner(
    brand: BrandPath, body: BrandOwnerAssign, principal: Admin, session: SessionDep
) -> BrandOwnerRead:
    """Make a rights holder the owner of a brand (its trademark number and office on record)."""
    try:
        name = clean_text(" ".join(brand.split()))
    except ValueError as exc:
        raise Unprocessable(f"brand: {exc}") from exc
    if not name:
        raise Unprocessable("brand: must not be blank")
    row = assign_brand(
        session,
        actor=principal.actor,
        brand=name,
        rights_holder_id=body.rights_holder_id,
        trademark_number=body.trademark_number,
        trademark_office=body.trademark_office,
    )
    return BrandOwnerRead.model_validate(row, from_attributes=True)
