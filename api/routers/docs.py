"""API documentation pages (/docs, /redoc) served with their assets from this service.

The assets come from the `fastapi-offline` package (Swagger UI 5 and Redoc 2 bundles),
so the pages work on an air-gapped network: nothing is loaded from a CDN.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_URL = "/docs/assets"
Asset = Literal["swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"]
_ASSETS = frozenset(get_args(Asset))
# One week: the asset names are fixed but change only with the package version.
_CACHE = "public, max-age=604800"

router = APIRouter(include_in_schema=False)


def _assets_dir() -> Path:
    return Path(str(resources.files("fastapi_offline") / "static"))


def _url(request: Request, name: Asset) -> str:
    # root_path keeps the links right behind a reverse proxy that mounts us under a prefix
    return f"{request.scope.get('root_path', '')}{ASSETS_URL}/{name}"


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for this service's OpenAPI document."""
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=_url(request, "swagger-ui-bundle.js"),
        swagger_css_url=_url(request, "swagger-ui.css"),
        swagger_favicon_url=_url(request, "favicon.png"),
        # No online validator badge: it would send the document to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    """Redoc for this service's OpenAPI document."""
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=_url(request, "redoc.standalone.js"),
        redoc_favicon_url=_url(request, "favicon.png"),
        with_google_fonts=False,
    )


@router.get(ASSETS_URL + "/{name}")
async def asset(name: str) -> FileResponse:
    """One bundled documentation asset (a fixed list: no path from the client reaches disk)."""
    if name not in _ASSETS:
        raise HTTPException(404, f"no documentation asset {name!r}")
    return FileResponse(_assets_dir() / name, headers={"Cache-Control": _CACHE})
