"""The Supabase REST backend (supabase-py -> PostgREST): the default.

Reads are one ``GET /rest/v1/muscles``; a sync is one bulk upsert
``POST /rest/v1/muscles?on_conflict=name`` with ``Prefer: return=minimal,resolution=merge-duplicates``.
supabase-py never retries a POST, so a timed-out write is reported, not repeated: the
upsert is idempotent and the next run sends only what is still missing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from postgrest import APIError, ReturnMethod
from pydantic import SecretStr
from supabase import Client, ClientOptions, create_client

from registry_sync.backends.base import TABLE
from registry_sync.errors import (
    RegistryAccessDenied,
    RegistryNotMigrated,
    RegistryUnreachable,
    RegistryWriteFailed,
)
from registry_sync.records import RemoteRow

__all__ = ["RestBackend"]

_MISSING_TABLE = {"PGRST205", "42P01"}
_DENIED = {"42501", "401", "403", "PGRST301", "PGRST302"}


class RestBackend:
    def __init__(self, env: str, url: str, service_key: SecretStr, *, timeout_s: float = 10.0) -> None:
        self._env = env
        self._url = url
        self._key = service_key
        self._timeout_s = timeout_s
        self._client: Client | None = None
        self._http: httpx.Client | None = None
        self.label = f"rest {urlsplit(url).hostname}"
        self.writes = 0

    @property
    def client(self) -> Client:
        if self._client is None:
            self._http = httpx.Client(timeout=self._timeout_s, trust_env=False)
            options = ClientOptions(httpx_client=self._http, auto_refresh_token=False, persist_session=False)
            self._client = create_client(self._url, self._key.get_secret_value(), options=options)
        return self._client

    def _unreachable(self, exc: httpx.TransportError) -> RegistryUnreachable:
        return RegistryUnreachable(
            f"{self._env}: host unreachable: {urlsplit(self._url).hostname} ({type(exc).__name__})",
            value=urlsplit(self._url).hostname,
            hint=f"Check the URL in supabase-url{'-prod' if self._env == 'production' else ''}.txt "
            "and the network path to the project, then run again.",
        )

    def _api_failure(self, exc: APIError) -> RegistryNotMigrated | RegistryAccessDenied | RegistryUnreachable:
        code = str(exc.code or "")
        if code in _MISSING_TABLE:
            return RegistryNotMigrated(
                f"{self._env}: table public.{TABLE} missing: run `supabase db push`",
                value=f"public.{TABLE}",
            )
        if code in _DENIED:
            return RegistryAccessDenied(
                f"{self._env}: the registry refused the key ({code}: {exc.message})",
                value=code,
                hint="Use the project's service_role key; check it belongs to this project's URL.",
            )
        return RegistryUnreachable(
            f"{self._env}: the registry answered an error ({code or 'no code'}: {exc.message})",
            value=code or None,
            hint="Check the project is up (Supabase dashboard) and the URL is the project URL.",
        )

    def ping(self) -> None:
        # No retries here: a preflight says at once what is wrong instead of waiting 7 s.
        try:
            self.client.table(TABLE).select("name").limit(1).retry(False).execute()
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        except APIError as exc:
            raise self._api_failure(exc) from None

    def fetch_state(self) -> dict[str, RemoteRow]:
        try:
            response = self.client.table(TABLE).select("*").order("name").execute()
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        except APIError as exc:
            raise self._api_failure(exc) from None
        rows: list[dict[str, Any]] = response.data  # type: ignore[assignment]
        return {row["name"]: RemoteRow.model_validate(row) for row in rows}

    def apply(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self.writes += 1
        try:
            self.client.table(TABLE).upsert(
                rows,
                on_conflict="name",
                returning=ReturnMethod.minimal,
            ).execute()
        except httpx.TransportError as exc:
            raise RegistryWriteFailed(
                f"{self._env}: the write did not complete ({type(exc).__name__}); it may or may not have "
                "been applied",
                value=urlsplit(self._url).hostname,
                hint="Run `registry-sync plan` to see what the environment holds now, then apply again "
                "(the upsert is idempotent).",
            ) from None
        except APIError as exc:
            raise RegistryWriteFailed(
                f"{self._env}: the write was refused ({exc.code}): {exc.message}",
                value=exc.code,
                hint=exc.hint or None,
            ) from None

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        self._client = self._http = None
