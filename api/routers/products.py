"""Products: register, list/search, read, change, retire (the owner or an admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.convert import product_read
from api.deps import ActingHolder, HolderParam, RightsHolderOrAdmin, SessionDep
from api.errors import problem_responses
from api.schemas.products import ProductCreate, ProductPage, ProductRead, ProductUpdate
from catalog.core.pagination import decode_cursor, encode_cursor
from catalog.products import service as products

router = APIRouter(prefix="/v1/products", tags=["products"])


@router.post(
    "",
    status_code=201,
    response_model=ProductRead,
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
def create(
    body: ProductCreate,
    principal: RightsHolderOrAdmin,
    holder: ActingHolder,
    session: SessionDep,
) -> ProductRead:
    """Register a genuine product; 409 if the holder already registered one of its GTINs.

    An admin names the rights holder it acts for in `rights_holder_id` (422 without it);
    a rights holder may leave it out or name only its own (422 for another).
    `price.min` must not exceed `price.max` (422 otherwise).
    """
    product = products.create_product(
        session, principal=principal, rights_holder_id=holder, data=body
    )
    return product_read(product)


@router.get("", response_model=ProductPage, responses=problem_responses(401, 403, 422))
def search(
    principal: RightsHolderOrAdmin,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=300, description="words in any text field")] = None,
    brand: Annotated[str | None, Query(max_length=300, description="exact brand")] = None,
    gtin: Annotated[str | None, Query(max_length=20, description="a registered GTIN")] = None,
    status: Literal["active", "retired", "all"] = "active",
    rights_holder_id: HolderParam = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    expiring_within_days: Annotated[
        int | None, Query(ge=0, le=3660, description="only those whose valid_until is this soon")
    ] = None,
) -> ProductPage:
    """List or search your products (an admin: everyone's), oldest first, cursor-paginated."""
    rows = products.list_products(
        session,
        principal=principal,
        rights_holder_id=rights_holder_id,
        q=q,
        brand=brand,
        gtin=gtin,
        status=status,
        after=decode_cursor(cursor),
        limit=limit + 1,
        expiring_within_days=expiring_within_days,
    )
    page = rows[:limit]
    counts = products.image_counts(session, products=page)
    items = [product_read(p, image_count=counts.get(p.id, 0)) for p in page]
    return ProductPage(
        items=items, next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None
    )


@router.get(
    "/{product_id}", response_model=ProductRead, responses=problem_responses(401, 403, 404, 410)
)
def read(product_id: str, principal: RightsHolderOrAdmin, session: SessionDep) -> ProductRead:
    """One product (another holder's is a 404).

    A retired product (DELETE) is a 410 here, and so are its images: it is still listed
    by `GET /v1/products?status=retired`, and the evidence of each screening that
    matched it keeps its record and reference images.
    """
    product = products.read_active_product(session, principal=principal, product_id=product_id)
    counts = products.image_counts(session, products=[product])
    return product_read(product, image_count=counts.get(product.id, 0))


@router.patch(
    "/{product_id}",
    response_model=ProductRead,
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
def update(
    product_id: str, body: ProductUpdate, principal: RightsHolderOrAdmin, session: SessionDep
) -> ProductRead:
    """Change the fields sent (another holder's product is a 404 and nothing is written).

    `price.min` must not exceed `price.max` (422 otherwise).
    """
    product = products.update_product(
        session, principal=principal, product_id=product_id, changes=body
    )
    counts = products.image_counts(session, products=[product])
    return product_read(product, image_count=counts.get(product.id, 0))


@router.delete(
    "/{product_id}", response_model=ProductRead, responses=problem_responses(401, 403, 404)
)
def retire(product_id: str, principal: RightsHolderOrAdmin, session: SessionDep) -> ProductRead:
    """Retire a product: it is no longer screened against; its GTINs are released.

    Returns the retired product (again on a repeated DELETE). From then on the product
    and its images are a 410 at their own URLs; `GET /v1/products?status=retired` lists
    it, and the evidence of each screening that matched it keeps its record and images.
    """
    product = products.retire_product(session, principal=principal, product_id=product_id)
    counts = products.image_counts(session, products=[product])
    return product_read(product, image_count=counts.get(product.id, 0))
