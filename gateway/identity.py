"""Who is calling: a verified bearer JWT (HS256 secret or JWKS, as Supabase issues them) -> Actor.

Claims read (top level, or under ``app_metadata`` where Supabase keeps custom claims):

- ``sub``: the subject; ``tenant_id``: the tenant every stream and command is checked against;
- ``actor``: ``canvas`` (a person's canvas, the default) or ``agent``;
- ``agent_role``: the permission lens of an agent (``director``, ``planner``, ``router``...);
- ``maturity``: an agent's governance level (``STUDENT``, ``INTERN``, ``SUPERVISED``,
  ``AUTONOMOUS``; see core.governance); it rides on the agent's events, so the tool router
  governs the commands the agent sends; absent, the router's own level applies;
- ``atoms_scope``: optional object pinning scope fields (mode, project_id, surface_id, app_id,
  canvas_id, run_id); a route must carry every pinned field with its pinned value, so a route
  outside them, or one without a pinned field (a run route for a canvas pin), gets 403;
- ``exp``: required; an SSE stream ends when it passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import jwt

from core.errors import InvalidIdentifier, InvalidInput
from core.governance import Maturity, parse_maturity
from core.identifiers import validate_identifier
from gateway.errors import TokenInvalid

__all__ = ["PINNABLE_FIELDS", "Actor", "TokenVerifier", "local_actor"]

ActorKind = Literal["canvas", "agent"]
PINNABLE_FIELDS = ("mode", "project_id", "surface_id", "app_id", "canvas_id", "run_id")
_JWKS_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"]


@dataclass(frozen=True)
class Actor:
    """A verified caller. ``role`` names the agent's lens; canvases have the role ``canvas``."""

    subject: str
    tenant_id: str
    kind: ActorKind
    role: str
    pinned: dict[str, str] = field(default_factory=dict)
    expires_at: float | None = None  # the token's exp (epoch seconds); None for a local caller
    maturity: Maturity | None = None  # an agent's governance level, when its token states one

    def public(self) -> dict[str, str]:
        """What other parties see of the author of an event (an agent's maturity included)."""
        shown = {"kind": self.kind, "subject": self.subject, "role": self.role}
        if self.maturity is not None:
            shown["maturity"] = self.maturity.name
        return shown


def local_actor(tenant_id: str) -> Actor:
    """The caller of a loopback gateway without token verification: a local all-access agent."""
    return Actor(subject="local", tenant_id=tenant_id, kind="agent", role="director")


def _claim(claims: dict[str, Any], name: str) -> Any:
    if name in claims:
        return claims[name]
    meta = claims.get("app_metadata")
    return meta.get(name) if isinstance(meta, dict) else None


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    """Turn verified claims into an Actor; refuse tokens that do not say who and for which tenant."""
    subject = claims.get("sub")
    tenant = _claim(claims, "tenant_id")
    if not isinstance(subject, str) or not subject:
        raise TokenInvalid("the token has no 'sub' claim")
    try:
        tenant_id = validate_identifier(tenant, "tenant_id claim")
    except InvalidIdentifier:
        raise TokenInvalid("the token has no valid 'tenant_id' claim", value=tenant) from None
    kind: ActorKind
    raw_kind = _claim(claims, "actor") or "canvas"
    if raw_kind == "canvas":
        kind = "canvas"
    elif raw_kind == "agent":
        kind = "agent"
    else:
        raise TokenInvalid("the 'actor' claim must be canvas or agent", value=raw_kind)
    role = "canvas" if kind == "canvas" else _claim(claims, "agent_role")
    if not isinstance(role, str) or not role:
        raise TokenInvalid("an agent token needs an 'agent_role' claim")
    raw_scope = _claim(claims, "atoms_scope") or {}
    if not isinstance(raw_scope, dict):
        raise TokenInvalid("the 'atoms_scope' claim must be an object", value=raw_scope)
    pinned: dict[str, str] = {}
    for name, value in raw_scope.items():
        if name not in PINNABLE_FIELDS or not isinstance(value, str):
            raise TokenInvalid(f"unknown or non-string atoms_scope field {name!r}", value=name)
        pinned[name] = value
    exp = claims.get("exp")
    expires_at = float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None
    maturity = None
    raw_maturity = _claim(claims, "maturity")
    if kind == "agent" and raw_maturity is not None:
        try:
            maturity = parse_maturity(raw_maturity)
        except InvalidInput:
            raise TokenInvalid("the 'maturity' claim is not a maturity level", value=raw_maturity) from None
    return Actor(
        subject=subject,
        tenant_id=tenant_id,
        kind=kind,
        role=role,
        pinned=pinned,
        expires_at=expires_at,
        maturity=maturity,
    )


class TokenVerifier:
    """Verifies bearer JWTs with an HS256 secret or the keys of a JWKS URL."""

    def __init__(
        self, *, secret: str | None = None, jwks_url: str | None = None, audience: str | None = None
    ):
        if (secret is None) == (jwks_url is None):
            raise ValueError("give exactly one of secret or jwks_url")
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self._audience = audience

    async def verify(self, token: str) -> Actor:
        if self._jwks is not None:
            # PyJWKClient fetches over blocking HTTP on a cache miss: keep it off the event loop.
            return await anyio.to_thread.run_sync(self.verify_sync, token)
        return self.verify_sync(token)

    def verify_sync(self, token: str) -> Actor:
        options: jwt.types.Options = {"require": ["exp", "sub"], "verify_aud": self._audience is not None}
        try:
            if self._jwks is not None:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = _JWKS_ALGORITHMS
            else:
                key, algorithms = self._secret, ["HS256"]
            claims = jwt.decode(token, key, algorithms=algorithms, audience=self._audience, options=options)
        except jwt.ExpiredSignatureError:
            raise TokenInvalid("the bearer token has expired") from None
        except jwt.PyJWTError as exc:
            # The library's message names the failed check, never the token or the key.
            raise TokenInvalid(f"the bearer token was refused: {exc}") from None
        return actor_from_claims(claims)
