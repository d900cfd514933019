"""The evidence packet of a screening: JSON by default, a PDF with `Accept: application/pdf`."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import EvidenceReader, SessionDep
from api.errors import problem_responses
from catalog.access import signing
from catalog.screening.evidence import evidence_packet, load_for_evidence

router = APIRouter(prefix="/v1/screenings", tags=["screenings"])
PDF = "application/pdf"


def _key(request: Request) -> Ed25519PrivateKey:
    key: Ed25519PrivateKey | None = getattr(request.app.state, "signing_key", None)
    if key is None:
        key = signing.signing_key(request.app.state.settings.data_dir)
        request.app.state.signing_key = key
    return key


@router.get(
    "/{screening_id}/evidence",
    responses={
        200: {
            "description": "The evidence packet",
            "content": {
                "application/json": {},
                PDF: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **problem_responses(401, 403, 404),
    },
)
def evidence(
    screening_id: str,
    principal: EvidenceReader,
    session: SessionDep,
    request: Request,
    view: Annotated[
        Literal["declarant", "rights_holder"] | None,
        Query(description="an admin's choice of view; others get theirs"),
    ] = None,
) -> Response:
    """The evidence packet: its client (declarant view), the implicated rights holder (its
    view), or an admin (either); the log proof checks offline with `countermark audit
    check-proof`."""

    screening, allowed = load_for_evidence(session, screening_id=screening_id, principal=principal)
    packet = evidence_packet(
        session,
        screening=screening,
        view=view if principal.role == "admin" and view else allowed,
        principal=principal,
        key=_key(request),
        blobs=request.app.state.blobs,
    )
    if PDF in request.headers.get("accept", ""):
        # Imported here: fpdf costs every worker ~0.4 s of start-up and ~15 MB for a rare request.
        from api.evidence_pdf import render_pdf

        pdf = render_pdf(packet)
        disposition = f'inline; filename="evidence-{screening_id}.pdf"'
        return Response(pdf, media_type=PDF, headers={"Content-Disposition": disposition})
    body = json.dumps(packet, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(body, media_type="application/json")
