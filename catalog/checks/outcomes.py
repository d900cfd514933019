"""What an officer found on checking an item: the outcome, the ticked checklist, a proposed fake.

The outcome is recorded on the check's screening (audited there), so it counts
wherever screening outcomes count; `counterfeit` on a check with a photo offers
that photo to the product's rights holder as a known-counterfeit reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from catalog.access.keys import Principal
from catalog.checks.answer import check_document
from catalog.checks.proposals import propose
from catalog.checks.repository import load_check
from catalog.core.errors import Unprocessable
from catalog.screening.stored_screenings import record_outcome


def record_check_outcome(
    session: Session,
    *,
    check_id: str,
    principal: Principal,
    outcome: str,
    note: str | None,
    checked: Sequence[str],
    product_id: str | None,
) -> dict[str, Any]:
    """Record an outcome on a check the caller made (404 otherwise); returns the check."""
    check = load_check(session, check_id=check_id, principal=principal)
    candidates = [c["product_id"] for c in check.result.get("candidates", [])]
    if product_id is not None and product_id not in candidates:
        raise Unprocessable(
            "product_id must be one of this check's candidates", slug="not-a-candidate"
        )
    record_outcome(
        session, screening_id=check.screening_id, principal=principal, outcome=outcome, note=note
    )
    check.checklist = list(checked)
    session.add(check)
    session.flush()
    target = product_id or (candidates[0] if candidates else None)
    if outcome == "counterfeit" and check.photo_sha256 and target is not None:
        propose(session, check=check, product_id=target, principal=principal)
    return check_document(session, check=check)
