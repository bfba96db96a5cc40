"""Who is calling a muscle: the tenant, actor and maturity the HTTP auth verified (or the
configured ones).

The bearer-auth middleware stores a :class:`Caller` in the ASGI scope; everything that acts
for the caller (tool calls, tasks, governance, the ledger) reads it from there and never from
arguments. A stdio server and a loopback server without tokens act for the configured tenant
at ``ATOMS_DEFAULT_MATURITY``. An approved proposal runs as the agent that proposed it
(:func:`acting_as`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from core.governance import Maturity
from core.scope import Scope

__all__ = ["CALLER_SCOPE_KEY", "Caller", "acting_as", "caller_of_request"]

CALLER_SCOPE_KEY: Final = "atoms.caller"

_acting: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("atoms_acting_caller", default=None)


@dataclass(frozen=True)
class Caller:
    tenant_id: str
    actor: str
    maturity: Maturity = Maturity.AUTONOMOUS
    approver: bool = False  # a person who may decide on proposals
    canvas: str | None = None  # where this agent's proposals are published

    @property
    def scope(self) -> Scope:
        return Scope(tenant_id=self.tenant_id)


def caller_of_request(request: object, default: Caller) -> Caller:
    """The caller a call acts for: an approved proposal's agent, else the verified caller of
    the HTTP request (a Starlette request), else ``default``."""
    acting = _acting.get()
    if acting is not None:
        return acting
    asgi_scope = getattr(request, "scope", None)
    if isinstance(asgi_scope, dict):
        found = asgi_scope.get(CALLER_SCOPE_KEY)
        if isinstance(found, Caller):
            return found
    return default


@contextmanager
def acting_as(caller: Caller) -> Iterator[Caller]:
    """Run the block's calls as ``caller`` (an approved proposal runs as its proposer)."""
    token = _acting.set(caller)
    try:
        yield caller
    finally:
        _acting.reset(token)
