"""ASGI middleware: every HTTP request gets a request id (the caller's ``X-Request-Id`` when it
is a sane one, else a fresh one), current while the request is served, kept in the ASGI scope
for code that runs elsewhere (a stateful MCP session's task), and echoed in the response."""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.observability.requests import REQUEST_ID_HEADER, request_id_scope, usable_request_id

__all__ = ["REQUEST_ID_SCOPE_KEY", "RequestIds", "request_id_of"]

REQUEST_ID_SCOPE_KEY: Final = "atoms.request_id"


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented = next(
            (
                v.decode("latin-1")
                for k, v in scope["headers"]
                if k.decode("latin-1").lower() == REQUEST_ID_HEADER
            ),
            None,
        )
        request_id = usable_request_id(presented)
        scope[REQUEST_ID_SCOPE_KEY] = request_id

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with request_id_scope(request_id):
            await self.app(scope, receive, stamped)


def request_id_of(request: object) -> str | None:
    """The request id the middleware gave a Starlette request, if any."""
    asgi_scope = getattr(request, "scope", None)
    if isinstance(asgi_scope, dict):
        found = asgi_scope.get(REQUEST_ID_SCOPE_KEY)
        return found if isinstance(found, str) else None
    return None
