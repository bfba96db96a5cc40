"""Gateway configuration: core's Settings plus the gateway's own (``ATOMS_GATEWAY_*``, and the
spine and token settings ``ATOMS_DATABASE_URL``, ``ATOMS_JWT_SECRET``, ``ATOMS_JWKS_URL``).

Staging and production have no local fallbacks: they need the shared PostgreSQL spine
(``ATOMS_DATABASE_URL``) and token verification (``ATOMS_JWT_SECRET`` or ``ATOMS_JWKS_URL``),
and :func:`load_gateway_config` names each missing variable before anything starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import ConfigError, MissingConfig
from core.settings import Settings, is_loopback

__all__ = ["GatewayConfig", "GatewayOptions", "load_gateway_config", "missing_for_gateway"]

_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(?::[0-9]{1,5})?|https?://\[[0-9a-f:.]+\](?::[0-9]{1,5})?")


class GatewayOptions(BaseSettings):
    """Tuning of the relay; every field reads ``ATOMS_GATEWAY_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="ATOMS_GATEWAY_", extra="ignore", frozen=True, populate_by_name=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8800, ge=0, le=65535)
    # The event spine (SQLite under the data dir unless a PostgreSQL URL is given) and how
    # callers' JWTs are verified (an HS256 secret or a JWKS URL, as Supabase issues them).
    # These keep the names deployments already set: ATOMS_DATABASE_URL, ATOMS_JWT_SECRET, ...
    database_url: SecretStr | None = Field(default=None, validation_alias="ATOMS_DATABASE_URL")
    jwt_secret: SecretStr | None = Field(default=None, validation_alias="ATOMS_JWT_SECRET")
    jwks_url: str | None = Field(default=None, validation_alias="ATOMS_JWKS_URL")
    queue_limit: int = Field(default=1000, ge=1, description="Events a subscriber may lag before it is cut")
    max_envelope_bytes: int = Field(default=64 * 1024, ge=256)
    base64_run_min: int = Field(
        default=1024, ge=64, description="Shortest base64 run treated as inline media"
    )
    ping_s: float = Field(default=15.0, gt=0, description="SSE comment ping interval")
    ws_ticket_ttl_s: float = Field(default=30.0, gt=0)
    retention_events: int = Field(
        default=100_000, ge=1, description="Events kept per stream, for every stream (events, commands, chat)"
    )
    command_retention_s: float = Field(
        default=86_400.0, gt=0, description="How long an idempotency key is remembered"
    )
    max_json_depth: int = Field(
        default=64, ge=4, le=256, description="Deepest nesting of objects and arrays in an envelope"
    )
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Browser origins (comma-separated, e.g. https://app.example.com) that may read "
        "with CORS and send cookie-authenticated writes; empty allows none",
    )
    jwt_audience: str | None = Field(default=None, description="Required 'aud' claim, e.g. authenticated")
    shutdown_grace_s: float = Field(default=5.0, ge=0)
    # Canvas state (gateway/canvas): rebasing, limits and snapshots.
    rebase_window: int = Field(
        default=1000, ge=1, description="Revisions a patch's base may be behind and still be rebased"
    )
    max_state_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest canvas state (canonical JSON)"
    )
    snapshot_every: int = Field(default=100, ge=1, description="Revisions between canvas snapshots")
    snapshot_inline_bytes: int = Field(
        default=32 * 1024, ge=0, description="Larger snapshots are stored as media_v2 documents"
    )
    tool_catalog: str | None = Field(
        default=None,
        description="Where CANVAS_READY's tools come from: 'registry' (public.muscles on ATOMS_DATABASE_URL), "
        "'sentinel' (`sentinel spec` on this checkout), 'none', or the path of a `sentinel spec` JSON "
        "file; unset: registry with a database URL, else sentinel",
    )
    tool_catalog_refresh_s: float = Field(default=60.0, gt=0, description="How often the registry is re-read")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            return value
        origins = []
        for item in items:
            origin = str(item).strip().rstrip("/").lower()
            if not origin:
                continue
            # "*" or "null" would let any page (or a sandboxed one) write with the user's cookie.
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{item!r} is not an origin like https://app.example.com")
            origins.append(origin)
        return tuple(origins)


@dataclass(frozen=True)
class GatewayConfig:
    settings: Settings
    options: GatewayOptions

    @property
    def authenticated(self) -> bool:
        return self.options.jwt_secret is not None or self.options.jwks_url is not None


def missing_for_gateway(settings: Settings, options: GatewayOptions) -> list[str]:
    """What ATOMS_ENV requires of the gateway but is not set (empty for local)."""
    if settings.env == "local":
        return []
    missing = list(settings.missing_for_env())
    if options.database_url is None:
        missing.append("ATOMS_DATABASE_URL")
    if options.jwt_secret is None and not options.jwks_url:
        missing.append("ATOMS_JWT_SECRET or ATOMS_JWKS_URL")
    return missing


def _errors_as_names(exc: ValidationError, prefix: str) -> str:
    return ", ".join(f"{prefix}{'_'.join(str(p) for p in err['loc']).upper()}" for err in exc.errors())


def load_gateway_config(
    settings_overrides: dict[str, Any] | None = None, option_overrides: dict[str, Any] | None = None
) -> GatewayConfig:
    """Read and check the configuration; raise a ConfigError naming what is wrong or missing."""
    try:
        settings = Settings(**(settings_overrides or {}))
    except ValidationError as exc:
        names = _errors_as_names(exc, "ATOMS_")
        raise ConfigError(f"invalid settings: {names}", value=names) from None
    try:
        options = GatewayOptions(**(option_overrides or {}))
    except ValidationError as exc:
        names = _errors_as_names(exc, "ATOMS_GATEWAY_")
        raise ConfigError(f"invalid gateway settings: {names}", value=names) from None
    missing = missing_for_gateway(settings, options)
    if missing:
        raise MissingConfig(
            f"ATOMS_ENV={settings.env} needs {', '.join(missing)}",
            value=missing,
            hint="Staging and production run on the shared PostgreSQL spine with verified tokens; "
            "set each listed variable (secrets may come from ATOMS_VAULT_DIR).",
        )
    config = GatewayConfig(settings, options)
    if not is_loopback(options.host) and not config.authenticated:
        raise ConfigError(
            f"binding {options.host} requires authentication",
            value=options.host,
            hint="Set ATOMS_JWT_SECRET or ATOMS_JWKS_URL, or bind 127.0.0.1.",
        )
    return config
