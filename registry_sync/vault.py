"""Credentials per environment, from ``ATOMS_*`` variables or the vault directory.

| entry                | staging file               | production file                 |
|----------------------|----------------------------|---------------------------------|
| project URL          | supabase-url.txt           | supabase-url-prod.txt           |
| service-role key     | supabase-service-key.txt   | supabase-service-key-prod.txt   |
| database URL (direct)| supabase-db-url.txt        | supabase-db-url-prod.txt        |

A variable wins over its file (``ATOMS_SUPABASE_SERVICE_KEY_PROD`` over
``supabase-service-key-prod.txt``). Secrets stay ``SecretStr``; errors name where a value
came from, never the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

import jwt
from pydantic import SecretStr

from registry_sync.config import RegistrySettings
from registry_sync.errors import InvalidRegistryUrl, NotServiceRoleKey, VaultEntryMissing

__all__ = [
    "ENVIRONMENTS",
    "EnvName",
    "Vault",
    "key_role",
    "redact_db_url",
]

EnvName = Literal["staging", "production"]
ENVIRONMENTS: tuple[EnvName, ...] = ("staging", "production")
_SUFFIX: dict[EnvName, str] = {"staging": "", "production": "-prod"}


def key_role(key: str) -> str | None:
    """The role a Supabase key acts as, read from its JWT ``role`` claim without verifying it
    (only the server can verify; this only stops an obvious mix-up before any request)."""
    if key.startswith("sb_secret_"):
        return "service_role"
    if key.startswith("sb_publishable_"):
        return "anon"
    try:
        claims = jwt.decode(key, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    role = claims.get("role") if isinstance(claims, dict) else None
    return role if isinstance(role, str) else None


def redact_db_url(url: str) -> str:
    """``scheme://user@host:port/db``: the password and the query (it may hold one) removed."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number, or out of range: the vault refuses such URLs
        port = ":<invalid port>"
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


def _well_formed(url: str) -> SplitResult | None:
    """``url`` split, when it is printable ASCII with a host and a numeric port (if any)."""
    if not url.isascii() or not url.isprintable() or any(char.isspace() for char in url):
        return None
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port that is no number in 0-65535
    except ValueError:
        return None
    return parts if parts.hostname else None


@dataclass(frozen=True)
class _Source:
    """Where a vault value came from, for messages: a file path or a variable name."""

    file: Path | None
    variable: str

    def describe(self) -> str:
        return f"{self.file}" if self.file is not None else f"${self.variable}"


class Vault:
    def __init__(self, settings: RegistrySettings) -> None:
        self._settings = settings

    def _entry(self, entry: str, env: EnvName) -> tuple[str | None, _Source]:
        stem = f"{entry}{_SUFFIX[env]}"
        variable = "ATOMS_" + stem.upper().replace("-", "_")
        value = getattr(self._settings, stem.replace("-", "_"))
        if value is not None:
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            return text.strip() or None, _Source(None, variable)
        vault_dir = self._settings.vault_dir
        if vault_dir is None:
            return None, _Source(None, variable)
        path = vault_dir / f"{stem}.txt"
        try:
            return path.read_text().strip() or None, _Source(path, variable)
        except OSError:
            return None, _Source(path, variable)

    def _require(self, entry: str, env: EnvName) -> tuple[str, _Source]:
        value, source = self._entry(entry, env)
        if value is None:
            stem = f"{entry}{_SUFFIX[env]}"
            where = (
                f"{self._settings.vault_dir}/{stem}.txt"
                if self._settings.vault_dir is not None
                else f"$ATOMS_VAULT_DIR/{stem}.txt"
            )
            raise VaultEntryMissing(
                f"{env}: {stem}.txt is missing or empty and ${source.variable} is unset",
                value=f"{stem}.txt",
                hint=f"Write it to {where} (one line, chmod 600) or set {source.variable}; "
                "see skills/supabase-connect/SKILL.md.",
            )
        return value, source

    def supabase_url(self, env: EnvName) -> str:
        url, source = self._require("supabase-url", env)
        parts = _well_formed(url)
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or parts.username
            or parts.query
            or parts.path not in ("", "/")
        ):
            raise InvalidRegistryUrl(
                f"{env}: the URL in {source.describe()} is not a project URL (https://<ref>.supabase.co)",
                value=source.describe(),
                hint=f"Put the project URL, e.g. https://<project-ref>.supabase.co, alone in {source.describe()}.",
            )
        return url.rstrip("/")

    def service_key(self, env: EnvName) -> SecretStr:
        key, source = self._require("supabase-service-key", env)
        if not key.isascii() or not key.isprintable() or any(char.isspace() for char in key):
            raise NotServiceRoleKey(
                f"{env}: the key in {source.describe()} holds characters no Supabase key has",
                value=source.describe(),
                hint=f"Copy the service_role key again into {source.describe()}: printable ASCII on one line.",
            )
        role = key_role(key)
        if role != "service_role":
            what = "an anon key" if role == "anon" else "not a service-role key"
            raise NotServiceRoleKey(
                f"{env}: the key in {source.describe()} is {what} (role claim: {role or 'none'})",
                value=source.describe(),
                hint=f"Replace it with the service_role key (Supabase dashboard: Project Settings > API "
                f"keys > service_role secret) in {source.describe()}; the anon key cannot write.",
            )
        return SecretStr(key)

    def db_url(self, env: EnvName) -> SecretStr:
        url, source = self._require("supabase-db-url", env)
        parts = _well_formed(url)
        if parts is None or parts.scheme not in ("postgres", "postgresql"):
            raise InvalidRegistryUrl(
                f"{env}: the database URL in {source.describe()} is not postgresql://user:password@host:port/db",
                value=source.describe(),
                hint=f"Copy the connection string (Supabase dashboard: Connect > Direct connection) "
                f"into {source.describe()}.",
            )
        return SecretStr(url)

    def secrets(self) -> list[str]:
        """Every secret value configured, so output can be scrubbed of them as a last guard."""
        found: list[str] = []
        for env in ENVIRONMENTS:
            for entry in ("supabase-service-key", "supabase-db-url"):
                value, _ = self._entry(entry, env)
                if value:
                    found.append(value)
                    password = urlsplit(value).password if entry == "supabase-db-url" else None
                    if password:
                        found.append(password)
        return found
