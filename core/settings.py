"""All configuration, read from ``ATOMS_*`` environment variables in this one place.

``ATOMS_ENV=local`` (the default) runs on embedded defaults: media on local disk, loopback
only. ``staging`` and ``production`` have no local fallbacks: :func:`load_settings` refuses to
start when what they need is missing, naming each missing variable.
"""

from __future__ import annotations

import ipaddress
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import ConfigError, MissingConfig
from core.identifiers import validate_identifier

__all__ = [
    "Environment",
    "MaturityName",
    "QuotaLimits",
    "Settings",
    "TokenGrant",
    "is_loopback",
    "load_host_settings",
    "load_settings",
]

Environment = Literal["local", "staging", "production"]
MaturityName = Literal["STUDENT", "INTERN", "SUPERVISED", "AUTONOMOUS"]


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "atoms-muscle"


def _split_paths(value: object) -> object:
    # ATOMS_IMPORT_ROOTS is an os.pathsep-separated list, like PATH.
    if isinstance(value, str):
        return [part for part in value.split(":") if part]
    return value


class QuotaLimits(BaseModel):
    """A tenant's quotas (0: no limit); see core.metering.quotas."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    calls_per_minute: int = Field(default=0, ge=0)
    concurrent_jobs: int = Field(default=0, ge=0)
    cpu_seconds_per_day: float = Field(default=0.0, ge=0)


class TokenGrant(BaseModel):
    """One bearer token of ``ATOMS_AUTH_TOKENS`` and who presents it (see SECURITY.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token: SecretStr
    actor: str | None = Field(default=None, description="Who presents it (default: the tenant id)")
    maturity: MaturityName | None = Field(default=None, description="Default: ATOMS_DEFAULT_MATURITY")
    approver: bool = Field(default=False, description="A person who may approve or reject proposals")
    canvas: str | None = Field(
        default=None, description="Canvas stream path this agent's proposals are published to"
    )


class Settings(BaseSettings):
    """The suite's settings. Secrets are ``SecretStr`` so they never print."""

    model_config = SettingsConfigDict(env_prefix="ATOMS_", extra="ignore", frozen=True)

    env: Environment = "local"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "text", "json"] = Field(
        default="auto", description="auto: JSON lines in staging and production, text locally"
    )
    data_dir: Path = Field(default_factory=_default_data_dir)

    # Who a stdio server (or a loopback HTTP call without a token) acts for.
    tenant_id: str = "local"

    # Storage: embedded local disk by default, S3 (or anything S3-compatible) otherwise.
    storage: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_region: str | None = None
    s3_endpoint_url: str | None = None
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None

    # Signs the local /media URLs. Generated and kept under data_dir when unset (local only).
    signing_key: SecretStr | None = None
    presign_ttl_s: int = Field(default=900, ge=1, le=7 * 24 * 3600)
    max_asset_bytes: int = Field(default=2 * 1024**3, ge=1)

    # Where register(source=<path>) may read from, and whether URLs may point inward.
    import_roots: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    allow_private_urls: bool = False
    fetch_timeout_s: float = Field(default=60.0, gt=0)
    fetch_deadline_s: float = Field(default=600.0, gt=0, description="A whole URL fetch, redirects included")
    fetch_concurrency_per_tenant: int = Field(
        default=4, ge=1, description="URL fetches one tenant may run at once; calls beyond are refused"
    )

    # HTTP serving. Any bind address but loopback requires auth_tokens.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8700, ge=0, le=65535)
    public_base_url: str | None = None
    http_stateless: bool = False
    auth_tokens: dict[str, SecretStr | TokenGrant | list[TokenGrant]] = Field(
        default_factory=dict,
        description="tenant_id -> bearer token, or a grant {token, actor, maturity, approver, canvas}, "
        "or a list of grants, as JSON",
    )

    # Governance by maturity (core.governance): the level of a token without one, where
    # proposals and supervised calls are also published, and how long they are kept.
    default_maturity: MaturityName = Field(
        default="AUTONOMOUS", description="Maturity of callers whose token names none (and of stdio)"
    )
    governance_gateway_url: str | None = Field(
        default=None, description="Gateway that proposal and supervision events are published to"
    )
    governance_gateway_token: SecretStr | None = Field(
        default=None, description="The muscle host's JWT for that gateway"
    )
    governance_supervision_stream: str | None = Field(
        default=None, description="Run stream path on that gateway mirroring supervised calls"
    )
    governance_retention_s: float = Field(
        default=30 * 24 * 3600, gt=0, description="Proposals and supervised calls are kept this long"
    )

    # Jobs (core.jobs): an embedded Dask LocalCluster unless a scheduler address is given.
    dask_address: str | None = Field(default=None, description="tcp://scheduler:8786; unset = LocalCluster")
    dask_workers: int = Field(default=2, ge=1, le=256, description="LocalCluster worker processes")
    jobs_db: Path | None = Field(default=None, description="SQLite job table; default data_dir/jobs.sqlite3")
    jobs_idle_s: float = Field(
        default=600.0, gt=0, description="The data dir's job daemon stops after this long without work"
    )
    job_retention_s: float = Field(
        default=7 * 24 * 3600, gt=0, description="Finished jobs are forgotten after this"
    )

    # MCP Tasks (io.modelcontextprotocol/tasks): a job-backed tool called by a client that
    # declares the extension answers with a task at once.
    task_ttl_s: float = Field(
        default=24 * 3600, ge=0, description="A task is forgotten this long after creation; 0: no limit"
    )
    task_poll_interval_ms: int = Field(
        default=1000, ge=50, le=60_000, description="How often clients are asked to poll tasks/get"
    )

    # MCP resources: atoms://media/... reads return the MediaRef, and the text of small documents.
    resource_text_max_bytes: int = Field(
        default=1024 * 1024, ge=0, description="Largest text document (SRT, VTT, JSON) inlined in a read"
    )

    # Usage ledger (core.metering): every tool call and job is a record, written in batches.
    ledger_database_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL (Supabase) holding public.usage_ledger; unset: SQLite in data_dir "
        "(local only: staging and production require it)",
    )
    ledger_batch_size: int = Field(default=200, ge=1, le=10_000, description="Records one write stores")
    ledger_flush_interval_s: float = Field(
        default=1.0, gt=0, le=60, description="A smaller batch is written after this long"
    )
    ledger_retention_s: float = Field(default=400 * 24 * 3600, gt=0, description="Records are kept this long")
    quota_calls_per_minute: int = Field(default=0, ge=0, description="Per tenant and process; 0: no limit")
    quota_concurrent_jobs: int = Field(default=0, ge=0, description="Queued and running jobs per tenant")
    quota_cpu_seconds_per_day: float = Field(default=0.0, ge=0, description="Per tenant and UTC day")
    quota_overrides: dict[str, QuotaLimits] = Field(
        default_factory=dict, description="tenant_id -> its own limits, as JSON"
    )

    # Housekeeping: what accumulates is swept when a server starts and every sweep_interval_s.
    sweep_interval_s: float = Field(default=3600.0, gt=0)
    upload_retention_s: float = Field(
        default=24 * 3600, gt=0, description="Presigned uploads never registered are deleted after this"
    )
    staging_retention_s: float = Field(
        default=24 * 3600, gt=0, description="Staged files a dead process left are deleted after this"
    )

    def model_post_init(self, __context: object) -> None:
        validate_identifier(self.tenant_id, "ATOMS_TENANT_ID")
        seen: set[str] = set()
        for tenant, grant in self.token_grants():
            validate_identifier(tenant, "ATOMS_AUTH_TOKENS tenant")
            if grant.actor is not None:
                validate_identifier(grant.actor, "ATOMS_AUTH_TOKENS actor")
            secret = grant.token.get_secret_value()
            if not secret or secret in seen:
                # One token, one identity: a shared or empty token would make the caller ambiguous.
                raise ConfigError("ATOMS_AUTH_TOKENS holds an empty or repeated token", value=tenant)
            seen.add(secret)

    def token_grants(self) -> list[tuple[str, TokenGrant]]:
        """Every configured token as (tenant, grant), plain tokens as grants of their tenant."""
        grants: list[tuple[str, TokenGrant]] = []
        for tenant, value in self.auth_tokens.items():
            if isinstance(value, SecretStr):
                grants.append((tenant, TokenGrant(token=value)))
            elif isinstance(value, TokenGrant):
                grants.append((tenant, value))
            else:
                grants.extend((tenant, grant) for grant in value)
        return grants

    @field_validator("import_roots", mode="before")
    @classmethod
    def _split_import_roots(cls, value: object) -> object:
        return _split_paths(value)

    @property
    def log_style(self) -> Literal["text", "json"]:
        if self.log_format == "auto":
            return "text" if self.env == "local" else "json"
        return self.log_format

    @property
    def quota_defaults(self) -> QuotaLimits:
        return QuotaLimits(
            calls_per_minute=self.quota_calls_per_minute,
            concurrent_jobs=self.quota_concurrent_jobs,
            cpu_seconds_per_day=self.quota_cpu_seconds_per_day,
        )

    @property
    def ledger_db_path(self) -> Path:
        return self.data_dir / "ledger.sqlite3"

    @property
    def jobs_db_path(self) -> Path:
        return self.jobs_db if self.jobs_db is not None else self.data_dir / "jobs.sqlite3"

    @cached_property
    def resolved_import_roots(self) -> tuple[Path, ...]:
        return tuple(root.expanduser().resolve() for root in self.import_roots)

    @property
    def media_base_url(self) -> str:
        """Base of the local /media URLs: the public URL when set, else the bind address."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        host = self.http_host if ":" not in self.http_host else f"[{self.http_host}]"
        return f"http://{host}:{self.http_port}"

    def signing_secret(self) -> bytes:
        """The key behind local presigned URLs; generated once per data_dir in local mode."""
        if self.signing_key is not None:
            return self.signing_key.get_secret_value().encode()
        if self.env != "local":
            raise MissingConfig("ATOMS_SIGNING_KEY is not set", value="ATOMS_SIGNING_KEY")
        key_file = self.data_dir / "signing.key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = key_file.with_suffix(".tmp")
            tmp.write_text(secrets.token_urlsafe(32))
            tmp.chmod(0o600)
            tmp.replace(key_file)
        return key_file.read_text().strip().encode()

    def missing_for_serving(self) -> list[str]:
        """What a muscle host of this environment lacks: the environment's needs, and the
        PostgreSQL usage ledger (staging and production keep no ledger on local disk)."""
        missing = self.missing_for_env()
        if self.env != "local" and self.ledger_database_url is None:
            missing.append("ATOMS_LEDGER_DATABASE_URL")
        return missing

    def missing_for_env(self) -> list[str]:
        """Settings the environment requires but lacks (empty for local)."""
        if self.env == "local":
            return []
        missing: list[str] = []
        if self.storage != "s3":
            missing.append("ATOMS_STORAGE=s3")
        if not self.s3_bucket:
            missing.append("ATOMS_S3_BUCKET")
        if not self.s3_region and not self.s3_endpoint_url:
            missing.append("ATOMS_S3_REGION")
        return missing


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; raise a :class:`ConfigError` naming what is wrong."""
    return _checked(overrides, serving=False)


def load_host_settings(**overrides: object) -> Settings:
    """:func:`load_settings` for a muscle host: it also needs the PostgreSQL usage ledger
    outside local (see :meth:`Settings.missing_for_serving`)."""
    return _checked(overrides, serving=True)


def _checked(overrides: dict[str, object], *, serving: bool) -> Settings:
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        fields = ", ".join(f"ATOMS_{'_'.join(str(p) for p in err['loc']).upper()}" for err in exc.errors())
        raise ConfigError(f"invalid settings: {fields}", value=fields) from None
    missing = settings.missing_for_serving() if serving else settings.missing_for_env()
    if missing:
        ledger = " and the usage ledger in PostgreSQL (ATOMS_LEDGER_DATABASE_URL)" if serving else ""
        raise MissingConfig(
            f"ATOMS_ENV={settings.env} needs {', '.join(missing)}",
            value=missing,
            hint="Staging and production never fall back to local storage: configure S3 "
            "(ATOMS_STORAGE=s3, ATOMS_S3_BUCKET, ATOMS_S3_REGION or ATOMS_S3_ENDPOINT_URL)" + ledger + ".",
        )
    return settings
