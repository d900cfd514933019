"""The officer's mobile page and its assets, all served by the service (no CDN, no build step).

Border posts are often offline or air-gapped: everything the page needs comes from
here. Assets are read once from the package and served with a strict CSP.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from catalog.core.errors import NotFound

router = APIRouter(tags=["officer page"])
ASSETS = {
    "officer.css": "text/css; charset=utf-8",
    "officer.js": "text/javascript; charset=utf-8",
    "messages.json": "application/json",
}
# Only our own origin: no inline script, no third-party anything.
CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@cache
def _asset(name: str) -> bytes:
    return resources.files("api.officer").joinpath(name).read_bytes()


def _headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
        "Referrer-Policy": "no-referrer",
    }


@router.get(
    "/officer",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "the page"}},
)
def page() -> Response:
    """The officer's page: sign in with a key, photograph an item, see what it may be."""
    return Response(_asset("index.html"), media_type="text/html; charset=utf-8", headers=_headers())


@router.get(
    "/officer/{name}",
    response_class=Response,
    responses={200: {"description": "a page asset"}, 404: {"description": "no such asset"}},
)
def asset(name: str) -> Response:
    """One of the page's assets: its stylesheet, script or messages file (every language)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"no asset {name[:64]}")
    return Response(_asset(name), media_type=media_type, headers=_headers())
