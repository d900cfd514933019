"""Table rows to response bodies."""

from __future__ import annotations

from datetime import UTC, datetime

from api.schemas.products import ImageRead, PriceRangeRead, ProductRead
from catalog.models import Product, ReferenceImage


def product_read(product: Product, *, image_count: int = 0) -> ProductRead:
    """The API view of a product."""
    price = None
    if product.price_min is not None and product.price_max is not None and product.price_currency:
        price = PriceRangeRead(
            min=product.price_min, max=product.price_max, currency=product.price_currency
        )
    return ProductRead(
        id=product.id,
        rights_holder_id=product.rights_holder_id,
        brand=product.brand,
        name=product.name,
        model=product.model,
        gtins=list(product.gtins),
        description=product.description,
        category=product.category,
        hs_codes=list(product.hs_codes),
        price=price,
        authorized_origins=list(product.authorized_origins),
        authorized_importers=list(product.authorized_importers),
        authorized_exporters=list(product.authorized_exporters),
        authenticity_features=list(product.authenticity_features),
        counterfeit_indicators=list(product.counterfeit_indicators),
        valid_until=product.valid_until,
        status="retired" if product.status == "retired" else "active",
        expired=product.valid_until is not None and product.valid_until < datetime.now(UTC).date(),
        image_count=image_count,
        catalog_version=product.catalog_version,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def image_read(image: ReferenceImage, *, has_local_features: bool) -> ImageRead:
    """The API view of a reference image."""
    return ImageRead.model_validate(
        {
            "id": image.id,
            "product_id": image.product_id,
            "kind": image.kind,
            "sha256": image.sha256,
            "content_type": image.content_type,
            "width": image.width,
            "height": image.height,
            "hashes": dict(image.hashes),
            "has_local_features": has_local_features,
            "created_at": image.created_at,
        }
    )
