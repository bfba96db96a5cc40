"""The canvas viewer page (``gateway/static/``), served by the gateway at ``/ui/<file>``.

Four fixed files, read once; nothing else under the folder is reachable. A strict Content
Security Policy: the page runs only its own script and talks only to its own origin.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.errors import RouteNotFound

__all__ = ["STATIC_DIR", "static_file", "viewer_redirect"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_TYPES = {
    "canvas.html": "text/html; charset=utf-8",
    "canvas.js": "text/javascript; charset=utf-8",
    "canvas.css": "text/css; charset=utf-8",
    "canvas.svg": "image/svg+xml",
}
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
_CONTENT = {name: (STATIC_DIR / name).read_bytes() for name in _TYPES}


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in _CONTENT:
        raise RouteNotFound("no such file", value=request.url.path)
    return Response(_CONTENT[name], media_type=_TYPES[name], headers=_HEADERS)


async def viewer_redirect(request: Request) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/ui/canvas.html{query}", status_code=307)
