"""Proposed references: officers' photos of confirmed fakes, for the rights holder to accept."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import BlobsDep, ImageProcessorDep, RightsHolderOnly, RightsHolderOrAdmin, SessionDep
from api.errors import problem_responses
from api.schemas.checks import ProposedReferencePage, ProposedReferenceRead
from catalog.checks import proposals
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.models import Product, ProposedReference

router = APIRouter(prefix="/v1/proposed-references", tags=["proposed references"])


def _read(proposal: ProposedReference, product: Product) -> ProposedReferenceRead:
    return ProposedReferenceRead.model_validate(
        {
            "id": proposal.id,
            "check_id": proposal.check_id,
            "product_id": proposal.product_id,
            "brand": product.brand,
            "name": product.name,
            "status": proposal.status,
            "photo_url": f"/v1/proposed-references/{proposal.id}/photo",
            "reference_image_id": proposal.reference_image_id,
            "created_at": proposal.created_at,
            "decided_at": proposal.decided_at,
        }
    )


@router.get("", response_model=ProposedReferencePage, responses=problem_responses(401, 403, 422))
def list_all(
    principal: RightsHolderOrAdmin,
    session: SessionDep,
    status: Literal["proposed", "accepted", "rejected"] | None = "proposed",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProposedReferencePage:
    """Officers' photos of fakes of your products (an admin: all), oldest first."""
    rows = proposals.list_proposals(
        session, principal=principal, status=status, after=decode_cursor(cursor), limit=limit + 1
    )
    page = rows[:limit]
    return ProposedReferencePage(
        items=[_read(p, product) for p, product in page],
        next_cursor=encode_cursor(page[-1][0].id) if len(rows) > limit else None,
    )


@router.get(
    "/{proposal_id}/photo",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "the officer's photo"},
        **problem_responses(401, 403, 404),
    },
)
def photo(
    proposal_id: str, principal: RightsHolderOrAdmin, session: SessionDep, blobs: BlobsDep
) -> Response:
    """The photo an officer took of the fake."""
    proposal, _ = proposals.load_proposal(session, principal=principal, proposal_id=proposal_id)
    return Response(blobs.get(proposal.photo_sha256), media_type="image/jpeg")


@router.post(
    "/{proposal_id}/accept",
    response_model=ProposedReferenceRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def accept(
    proposal_id: str,
    principal: RightsHolderOnly,
    session: SessionDep,
    blobs: BlobsDep,
    processor: ImageProcessorDep,
) -> ProposedReferenceRead:
    """Accept the photo as a known-counterfeit reference of the product (indexed at once)."""
    proposal, _ = await run_in_threadpool(
        lambda: proposals.load_proposal(session, principal=principal, proposal_id=proposal_id)
    )
    raw = await run_in_threadpool(blobs.get, proposal.photo_sha256)
    prepared = await processor.prepare(raw)
    accepted, product = await run_in_threadpool(
        lambda: proposals.accept(
            session, principal=principal, proposal_id=proposal_id, prepared=prepared, blobs=blobs
        )
    )
    return _read(accepted, product)


@router.post(
    "/{proposal_id}/reject",
    response_model=ProposedReferenceRead,
    responses=problem_responses(401, 403, 404, 409),
)
def reject(
    proposal_id: str, principal: RightsHolderOnly, session: SessionDep
) -> ProposedReferenceRead:
    """Decline the photo; the check keeps it as evidence."""
    proposal, product = proposals.reject(session, principal=principal, proposal_id=proposal_id)
    return _read(proposal, product)
