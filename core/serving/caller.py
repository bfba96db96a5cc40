"""Who is calling a muscle: the tenant and actor the HTTP auth verified (or the configured ones).

The bearer-auth middleware stores a :class:`Caller` in the ASGI scope; everything that acts
for the caller (tool calls, tasks, governance, the ledger) reads it from there and never from
arguments. A stdio server and a loopback server without tokens act for the configured tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from core.scope import Scope

__all__ = ["CALLER_SCOPE_KEY", "Caller", "caller_of_request"]

CALLER_SCOPE_KEY: Final = "atoms.caller"


@dataclass(frozen=True)
class Caller:
    tenant_id: str
    actor: str

    @property
    def scope(self) -> Scope:
        return Scope(tenant_id=self.tenant_id)


def caller_of_request(request: object, default: Caller) -> Caller:
    """The verified caller of an HTTP request (a Starlette request), else ``default``."""
    asgi_scope = getattr(request, "scope", None)
    if isinstance(asgi_scope, dict):
        found = asgi_scope.get(CALLER_SCOPE_KEY)
        if isinstance(found, Caller):
            return found
    return default
