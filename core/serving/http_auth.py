"""Bearer-token authentication for muscle HTTP apps; the token decides the tenant."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

from core.errors import Unauthenticated
from core.serving.caller import CALLER_SCOPE_KEY, Caller

__all__ = ["BearerAuth"]

# Presigned URLs carry their own signature; health probes must work without credentials.
_OPEN_PREFIXES = ("/health/", "/media/")


class BearerAuth:
    """ASGI middleware: ``Authorization: Bearer <token>`` -> tenant, or 401 with a coded error.

    With no tokens configured (loopback only, enforced at start) every request acts for
    ``default_tenant``.
    """

    def __init__(self, app: ASGIApp, *, tokens: Mapping[str, str], default_tenant: str) -> None:
        self.app = app
        self.tokens = dict(tokens)  # tenant -> token
        self.default_tenant = default_tenant

    def tenant_for(self, header: str | None) -> str | None:
        if not header or not header.lower().startswith("bearer "):
            return None
        presented = header[7:].strip().encode()
        found = None
        for tenant, token in self.tokens.items():
            # Compare against every token, in constant time, so timing reveals nothing.
            if hmac.compare_digest(presented, token.encode()):
                found = tenant
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        if not self.tokens:
            scope[CALLER_SCOPE_KEY] = Caller(tenant_id=self.default_tenant, actor="local")
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        tenant = self.tenant_for(headers.get("authorization"))
        if tenant is None:
            error = Unauthenticated("missing or unknown bearer token")
            body = json.dumps({"error": error.to_dict()}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="atoms-muscle"'),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        scope[CALLER_SCOPE_KEY] = Caller(tenant_id=tenant, actor=tenant)
        await self.app(scope, receive, send)
