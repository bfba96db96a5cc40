"""Bearer-token authentication for muscle HTTP apps: the token decides who calls (tenant, actor,
maturity, whether a person who approves proposals), from ``ATOMS_AUTH_TOKENS``."""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from core.errors import Unauthenticated
from core.governance import parse_maturity
from core.serving.caller import CALLER_SCOPE_KEY, Caller
from core.settings import Settings

__all__ = ["BearerAuth", "callers_of", "local_caller"]

# Presigned URLs carry their own signature; health probes and Prometheus scrapes work without
# credentials (metrics carry no tenant: see core.observability.metrics).
_OPEN_PREFIXES = ("/health/", "/media/", "/metrics")


class BearerAuth:
    """ASGI middleware: ``Authorization: Bearer <token>`` -> :class:`Caller`, or 401 with a coded error.

    With no tokens configured (loopback only, enforced at start) every request acts for
    ``default``.
    """

    def __init__(self, app: ASGIApp, *, callers: Sequence[tuple[str, Caller]], default: Caller) -> None:
        self.app = app
        self.callers = [(token.encode(), caller) for token, caller in callers]  # (token, who)
        self.default = default

    def caller_for(self, header: str | None) -> Caller | None:
        if not header or not header.lower().startswith("bearer "):
            return None
        presented = header[7:].strip().encode()
        found = None
        for token, caller in self.callers:
            # Compare against every token, in constant time, so timing reveals nothing.
            if hmac.compare_digest(presented, token):
                found = caller
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        if not self.callers:
            scope[CALLER_SCOPE_KEY] = self.default
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        caller = self.caller_for(headers.get("authorization"))
        if caller is None:
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
        scope[CALLER_SCOPE_KEY] = caller
        await self.app(scope, receive, send)


def callers_of(settings: Settings) -> list[tuple[str, Caller]]:
    """(token, caller) for every token of ``ATOMS_AUTH_TOKENS``."""
    return [
        (
            grant.token.get_secret_value(),
            Caller(
                tenant_id=tenant,
                actor=grant.actor or tenant,
                maturity=parse_maturity(grant.maturity or settings.default_maturity),
                approver=grant.approver,
                canvas=grant.canvas,
            ),
        )
        for tenant, grant in settings.token_grants()
    ]


def local_caller(settings: Settings) -> Caller:
    """Who a stdio server, or a loopback server without tokens, acts for."""
    return Caller(
        tenant_id=settings.tenant_id, actor="local", maturity=parse_maturity(settings.default_maturity)
    )
