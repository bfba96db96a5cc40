"""Gateway configuration: core's Settings plus the gateway-only knobs (``ATOMS_GATEWAY_*``).

Staging and production have no local fallbacks: they need the shared PostgreSQL spine
(``ATOMS_DATABASE_URL``) and token verification (``ATOMS_JWT_SECRET`` or ``ATOMS_JWKS_URL``),
and :func:`load_gateway_config` names each missing variable before anything starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError, MissingConfig
from core.settings import Settings, is_loopback

__all__ = ["GatewayConfig", "GatewayOptions", "load_gateway_config", "missing_for_gateway"]


class GatewayOptions(BaseSettings):
    """Tuning of the relay; every field reads ``ATOMS_GATEWAY_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ATOMS_GATEWAY_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    queue_limit: int = Field(default=1000, ge=1, description="Events a subscriber may lag before it is cut")
    max_envelope_bytes: int = Field(default=64 * 1024, ge=256)
    base64_run_min: int = Field(
        default=1024, ge=64, description="Shortest base64 run treated as inline media"
    )
    ping_s: float = Field(default=15.0, gt=0, description="SSE comment ping interval")
    ws_ticket_ttl_s: float = Field(default=30.0, gt=0)
    retention_events: int = Field(default=100_000, ge=1, description="Events kept per stream")
    jwt_audience: str | None = Field(default=None, description="Required 'aud' claim, e.g. authenticated")
    shutdown_grace_s: float = Field(default=5.0, ge=0)


@dataclass(frozen=True)
class GatewayConfig:
    settings: Settings
    options: GatewayOptions

    @property
    def authenticated(self) -> bool:
        return self.settings.jwt_secret is not None or self.settings.jwks_url is not None


def missing_for_gateway(settings: Settings) -> list[str]:
    """What ATOMS_ENV requires of the gateway but is not set (empty for local)."""
    if settings.env == "local":
        return []
    missing = list(settings.missing_for_env())
    if settings.database_url is None:
        missing.append("ATOMS_DATABASE_URL")
    if settings.jwt_secret is None and not settings.jwks_url:
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
    missing = missing_for_gateway(settings)
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
