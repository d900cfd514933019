"""Request-scoped dependencies as `Annotated` aliases: settings, the session, roles, acting holder.

The session holds one transaction per request. A role alias admits only keys of its
roles (403 otherwise); `ActingHolder` is the rights holder a write acts for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel import Session

from api.auth import require_roles
from api.schemas.common import ID_PATTERN
from catalog.access.keys import Principal
from catalog.core.blobs import BlobStore
from catalog.core.db import Database
from catalog.core.errors import Unprocessable
from catalog.core.pool import ImageProcessor
from catalog.core.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The app's database."""
    database: Database = request.app.state.db
    return database


def get_blobs(request: Request) -> BlobStore:
    """The app's blob store."""
    blobs: BlobStore = request.app.state.blobs
    return blobs


def get_image_processor(request: Request) -> ImageProcessor:
    """The app's pool that prepares uploaded images."""
    processor: ImageProcessor = request.app.state.image_processor
    return processor


def get_session(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the route returns and rolls back if it raises.

    Reads start a deferred transaction; other methods take the write lock up front on
    SQLite (BEGIN IMMEDIATE) so concurrent writers queue rather than fail.
    """
    database = get_database(request)
    with database.session(write=request.method not in SAFE_METHODS) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]
ImageProcessorDep = Annotated[ImageProcessor, Depends(get_image_processor)]
# scope="function": commit before the response is sent, so a 2xx means the data is durable.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

Admin = Annotated[Principal, Depends(require_roles("admin"))]
RightsHolderOrAdmin = Annotated[Principal, Depends(require_roles("rights_holder", "admin"))]
RightsHolderOnly = Annotated[Principal, Depends(require_roles("rights_holder"))]
Customs = Annotated[Principal, Depends(require_roles("customs"))]
Screener = Annotated[Principal, Depends(require_roles("customs", "officer"))]
ScreeningReader = Annotated[Principal, Depends(require_roles("customs", "officer", "admin"))]
EvidenceReader = Annotated[
    Principal, Depends(require_roles("customs", "officer", "admin", "rights_holder"))
]
ImageReader = Annotated[
    Principal, Depends(require_roles("rights_holder", "admin", "customs", "officer"))
]
HolderParam = Annotated[
    str | None,
    Query(pattern=ID_PATTERN, description="admin only: the rights holder to act for or filter by"),
]


def acting_holder(principal: RightsHolderOrAdmin, rights_holder_id: HolderParam = None) -> str:
    """The rights holder a write acts for: the key's own, or the one an admin names."""
    if principal.role == "admin":
        if not rights_holder_id:
            raise Unprocessable("an admin must name the rights_holder_id to register for")
        return rights_holder_id
    assert principal.rights_holder_id is not None
    if rights_holder_id and rights_holder_id != principal.rights_holder_id:
        raise Unprocessable("rights_holder_id may only name your own rights holder")
    return principal.rights_holder_id


ActingHolder = Annotated[str, Depends(acting_holder)]
