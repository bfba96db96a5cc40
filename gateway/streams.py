"""Streams and scope: every stream belongs to one full scope, and every caller must match it.

A canvas stream is addressed by ``tenant_id/mode/project_id/surface_id/app_id`` plus
``canvas_id``; a run timeline by the same five plus ``run_id``. The stream name the spine
stores is built from them, so two scopes can never share a stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from core.errors import InvalidIdentifier
from core.scope import Scope
from gateway.errors import ScopeMismatch
from gateway.identity import Actor

__all__ = ["SCOPE_PATH", "StreamAddress", "authorize"]

StreamKind = Literal["canvas", "run"]

# The URL prefix every scoped route shares.
SCOPE_PATH = "/v1/{tenant_id}/{mode}/{project_id}/{surface_id}/{app_id}"
_BASE_FIELDS = ("tenant_id", "mode", "project_id", "surface_id", "app_id")


@dataclass(frozen=True)
class StreamAddress:
    kind: StreamKind
    scope: Scope

    @classmethod
    def from_path(cls, kind: StreamKind, params: Mapping[str, str]) -> StreamAddress:
        """Build the address from route parameters (raises InvalidIdentifier on unsafe parts)."""
        leaf = "canvas_id" if kind == "canvas" else "run_id"
        values = {name: params.get(name) for name in (*_BASE_FIELDS, leaf)}
        for name, value in values.items():
            if not value:
                raise InvalidIdentifier(f"missing scope field {name}", value=name)
        return cls(kind, Scope(**values))

    @classmethod
    def from_key(cls, key: str) -> StreamAddress | None:
        """The address a spine stream name was built from, or None for a name it cannot be."""
        parts = key.split("/")
        if len(parts) != 7 or parts[0] not in ("canvas", "run"):
            return None
        kind: StreamKind = "canvas" if parts[0] == "canvas" else "run"
        leaf = "canvas_id" if kind == "canvas" else "run_id"
        try:
            return cls.from_path(kind, dict(zip((*_BASE_FIELDS, leaf), parts[1:], strict=True)))
        except InvalidIdentifier:
            return None

    @property
    def stream_id(self) -> str:
        """The leaf identifier: the canvas id or the run id."""
        value = self.scope.canvas_id if self.kind == "canvas" else self.scope.run_id
        assert value is not None
        return value

    @property
    def key(self) -> str:
        """The spine's stream name (identifiers never contain '/', so it is unambiguous)."""
        s = self.scope
        return f"{self.kind}/{s.tenant_id}/{s.mode}/{s.project_id}/{s.surface_id}/{s.app_id}/{self.stream_id}"

    @property
    def tenant_id(self) -> str:
        return self.scope.tenant_id


def authorize(actor: Actor, address: StreamAddress) -> None:
    """Raise ScopeMismatch (403) unless the actor's tenant and pinned scope cover the stream.

    A pin is a promise about every route the token reaches: a route that does not carry the
    pinned field at all (a run route for a token pinned to a canvas) is outside it too.
    """
    if actor.tenant_id != address.scope.tenant_id:
        raise ScopeMismatch("the stream belongs to another tenant", value="tenant_id")
    fields = address.scope.model_dump()
    for name, pinned in sorted(actor.pinned.items()):
        value = fields.get(name)
        if value is None:
            raise ScopeMismatch(f"the token is pinned to a {name} and this route has none", value=name)
        if value != pinned:
            raise ScopeMismatch(f"the token is pinned to another {name}", value=name)
