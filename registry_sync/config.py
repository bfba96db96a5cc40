"""registry-sync's own settings (``ATOMS_*`` variables), read in this one place.

The suite-wide ``core.settings.Settings`` owns ``ATOMS_VAULT_DIR``; the Supabase secrets
below are the vault's environment-variable form: each mirrors a vault file name
(``supabase-service-key-prod.txt`` <-> ``ATOMS_SUPABASE_SERVICE_KEY_PROD``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["BackendKind", "RegistrySettings"]

BackendKind = Literal["rest", "postgres"]


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATOMS_", extra="ignore", frozen=True)

    vault_dir: Path | None = None
    registry_backend: BackendKind = Field(
        default="rest", description="rest: Supabase REST (supabase-py); postgres: direct psycopg connection"
    )

    supabase_url: str | None = None
    supabase_service_key: SecretStr | None = None
    supabase_db_url: SecretStr | None = None
    supabase_url_prod: str | None = None
    supabase_service_key_prod: SecretStr | None = None
    supabase_db_url_prod: SecretStr | None = None

    registry_timeout_s: float = Field(default=10.0, gt=0, description="Per request / connect timeout")
    registry_namespace: str = Field(
        default="io.github.atoms-platform", description="Reverse-DNS namespace of exported server.json names"
    )
    registry_remote_base_url: str = Field(
        default="https://muscles.atoms.dev", description="Where `muscle serve --all` is published"
    )
    registry_synced_by: str | None = Field(default=None, description="Recorded as synced_by; default: user")
