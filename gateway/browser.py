"""What browsers may do: explicit CORS, and writes only as JSON from an allowed origin.

A browser attaches the ``atoms_gateway_token`` cookie to any page's request, and lets any page
send a "simple" cross-site POST (form or ``text/plain`` bodies) without asking the server first.
So, for every state-changing request:

- the body must be ``Content-Type: application/json``, which no page can send cross-site
  without a CORS preflight (415 ``unsupported_content_type`` otherwise, whatever the auth);
- an ``Origin`` header, when present, must be one of ``ATOMS_GATEWAY_ALLOWED_ORIGINS``; a
  cookie-authenticated write must carry one (403 ``origin_not_allowed``). A loopback gateway
  without tokens is protected the same way from pages the user happens to visit.

CORS answers preflights for exactly those origins, with credentials, and nothing else; a
refused preflight is a coded error like every other refusal.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from gateway.errors import OriginNotAllowed, UnsupportedContentType

__all__ = ["GatewayCors", "check_browser_write"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_JSON = "application/json"
_REQUEST_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID")
_EXPOSED_HEADERS = ("Idempotent-Replayed",)
_PREFLIGHT_MAX_AGE_S = 600


def check_browser_write(conn: HTTPConnection, *, via_cookie: bool, allowed_origins: tuple[str, ...]) -> None:
    """Raise unless a state-changing request is JSON from an allowed origin (no-op for reads)."""
    method = conn.scope.get("method")
    if method is None or method in _SAFE_METHODS:
        return
    origin = conn.headers.get("origin")
    if origin is not None and origin.rstrip("/").lower() not in allowed_origins:
        raise OriginNotAllowed("writes from this origin are not allowed", value=origin)
    if via_cookie and origin is None:
        raise OriginNotAllowed("a cookie-authenticated write must carry an Origin header")
    content_type = conn.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != _JSON:
        raise UnsupportedContentType(
            "the body must be sent as application/json", value=content_type or "(none)"
        )


class GatewayCors(CORSMiddleware):
    """Starlette's CORS for the configured origins, refusing preflights with a coded error."""

    def __init__(self, app: ASGIApp, *, allowed_origins: tuple[str, ...]) -> None:
        super().__init__(
            app,
            allow_origins=list(allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=list(_REQUEST_HEADERS),
            allow_credentials=True,
            expose_headers=list(_EXPOSED_HEADERS),
            max_age=_PREFLIGHT_MAX_AGE_S,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        error = OriginNotAllowed(
            f"CORS preflight refused: {bytes(response.body).decode(errors='replace')}",
            value=request_headers.get("origin"),
        )
        return JSONResponse({"error": error.to_dict()}, status_code=error.http_status)
