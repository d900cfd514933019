"""Request-scoped dependencies: settings, the database session (one transaction per request)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from catalog.core.blobs import BlobStore
from catalog.core.db import Database
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
