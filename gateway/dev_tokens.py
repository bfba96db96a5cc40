"""Development tokens: JWTs a local gateway accepts, minted by ``gateway token``.

Only with ``ATOMS_ENV=local``. They are signed with ``ATOMS_JWT_SECRET`` when one is set (the
gateway then verifies every caller with it anyway), else with a development secret kept in the
data dir (``gateway/dev-jwt-secret``, mode 0600, made on first use). A local gateway without a
configured secret still serves loopback callers that send no token as tenant ``local``, and
verifies a bearer token against that development secret, so ``curl`` and ``EventSource`` can
act as any tenant, actor and role on one machine. Staging and production never read the file.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

import jwt

from core.errors import ConfigError
from core.settings import Settings
from gateway.identity import PINNABLE_FIELDS, Actor, actor_from_claims

__all__ = ["DEV_SECRET_FILE", "ensure_dev_secret", "mint_dev_token", "read_dev_secret"]

DEV_SECRET_FILE = Path("gateway") / "dev-jwt-secret"


def read_dev_secret(settings: Settings) -> str | None:
    """The data dir's development secret, or None when no token was ever minted there."""
    _require_local(settings)
    path = settings.data_dir / DEV_SECRET_FILE
    return path.read_text().strip() if path.exists() else None


def ensure_dev_secret(settings: Settings) -> str:
    """The data dir's development secret, made (0600) when missing."""
    existing = read_dev_secret(settings)
    if existing is not None:
        return existing
    path = settings.data_dir / DEV_SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(32))
    # Two commands racing keep one secret: the first link wins, the other's file is dropped.
    try:
        os.link(partial, path)
    except FileExistsError:
        pass
    finally:
        partial.unlink()
    return path.read_text().strip()


def mint_dev_token(
    settings: Settings,
    *,
    tenant_id: str,
    actor: str,
    role: str | None,
    subject: str | None = None,
    ttl_s: float = 3600.0,
    pins: dict[str, str] | None = None,
    secret: str | None = None,
    now: float | None = None,
) -> tuple[str, Actor]:
    """A signed JWT for these claims and the Actor the gateway will see (checked here first,
    so a bad tenant or role is refused before any token exists)."""
    _require_local(settings)
    issued = time.time() if now is None else now
    claims: dict[str, Any] = {
        "sub": subject or f"dev-{actor}",
        "tenant_id": tenant_id,
        "actor": actor,
        "iat": int(issued),
        "exp": int(issued + ttl_s),
    }
    if role is not None and actor == "agent":
        claims["agent_role"] = role
    unknown = sorted(set(pins or {}) - set(PINNABLE_FIELDS))
    if unknown:
        raise ConfigError(
            f"cannot pin {', '.join(unknown)}",
            value=unknown,
            hint=f"Pinnable scope fields: {', '.join(PINNABLE_FIELDS)}.",
        )
    if pins:
        claims["atoms_scope"] = dict(pins)
    verified = actor_from_claims(claims)
    key = secret if secret is not None else ensure_dev_secret(settings)
    return jwt.encode(claims, key, algorithm="HS256"), verified


def _require_local(settings: Settings) -> None:
    if settings.env != "local":
        raise ConfigError(
            f"development tokens are refused with ATOMS_ENV={settings.env}",
            value=settings.env,
            hint="Staging and production tokens come from your identity provider (Supabase Auth); "
            "`gateway token` works only with ATOMS_ENV=local.",
        )
