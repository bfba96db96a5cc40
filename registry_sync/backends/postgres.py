"""The direct PostgreSQL backend (psycopg 3): for self-hosted deployments and migrations.
One connection per environment; every apply is one transaction holding one statement."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import SecretStr

from registry_sync.backends.base import TABLE
from registry_sync.errors import (
    RegistryAccessDenied,
    RegistryNotMigrated,
    RegistryUnreachable,
    RegistryWriteFailed,
)
from registry_sync.records import RemoteRow
from registry_sync.vault import redact_db_url

__all__ = ["WRITE_COLUMNS", "PostgresBackend", "upsert_statement"]

WRITE_COLUMNS = (
    "name",
    "version",
    "category",
    "description",
    "tools",
    "capabilities",
    "canvas_tools",
    "transports",
    "skill_md",
    "content_hash",
    "source_sha256",
    "status",
    "source_commit",
    "synced_by",
)


def upsert_statement() -> sql.Composed:
    """``INSERT .. SELECT FROM jsonb_populate_recordset .. ON CONFLICT (name) DO UPDATE``: the
    statement PostgREST itself builds for a bulk upsert, so both backends write alike."""
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in WRITE_COLUMNS)
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in WRITE_COLUMNS if c != "name"
    )
    return sql.SQL(
        "insert into public.{table} ({columns}) "
        "select {columns} from jsonb_populate_recordset(null::public.{table}, %s) "
        "on conflict (name) do update set {updates}"
    ).format(table=sql.Identifier(TABLE), columns=columns, updates=updates)


def _scrub(message: str, secret: str) -> str:
    return message.replace(secret, "***") if secret else message


class PostgresBackend:
    def __init__(self, env: str, db_url: SecretStr, *, timeout_s: float = 10.0) -> None:
        self._env = env
        self._db_url = db_url
        self._timeout_s = timeout_s
        self._conn: psycopg.Connection[Any] | None = None
        self.label = f"postgres {redact_db_url(db_url.get_secret_value())}"
        self.writes = 0

    def _connect(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            try:
                # prepare_threshold=None: Supabase's transaction pooler cannot keep prepared statements.
                self._conn = psycopg.connect(
                    self._db_url.get_secret_value(),
                    connect_timeout=max(1, round(self._timeout_s)),
                    autocommit=True,
                    prepare_threshold=None,
                )
            except psycopg.Error as exc:
                first = _scrub(str(exc), self._db_url.get_secret_value()).strip().splitlines()[:1]
                raise RegistryUnreachable(
                    f"{self._env}: cannot connect to {self.label}: {first[0] if first else 'no reason given'}",
                    value=self.label,
                    hint="Check supabase-db-url.txt (host, port, user, password) and that the database "
                    "accepts connections from here.",
                ) from None
        return self._conn

    def ping(self) -> None:
        conn = self._connect()
        row = conn.execute(
            "select to_regclass(%s) is not null, "
            "coalesce(has_table_privilege(to_regclass(%s), 'INSERT, UPDATE'), false)",
            (f"public.{TABLE}", f"public.{TABLE}"),
        ).fetchone()
        assert row is not None
        if not row[0]:
            raise RegistryNotMigrated(
                f"{self._env}: table public.{TABLE} is missing in {self.label}",
                value=f"public.{TABLE}",
                hint="Apply the migrations: `registry-sync migrate --env "
                f"{self._env}` (direct backend) or `supabase db push`.",
            )
        if not row[1]:
            raise RegistryAccessDenied(
                f"{self._env}: the database user in {self.label} may not write public.{TABLE}",
                value=self.label,
                hint="Connect as the postgres user (the dashboard's connection string); "
                "other roles only read the registry.",
            )

    def fetch_state(self) -> dict[str, RemoteRow]:
        conn = self._connect()
        rows = conn.execute(
            sql.SQL("select to_jsonb(m) from public.{} m order by name").format(sql.Identifier(TABLE))
        ).fetchall()
        return {row[0]["name"]: RemoteRow.model_validate(row[0]) for row in rows}

    def apply(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        conn = self._connect()
        self.writes += 1
        try:
            with conn.transaction():
                conn.execute(upsert_statement(), (Jsonb(rows),))
        except psycopg.Error as exc:
            diag = exc.diag
            raise RegistryWriteFailed(
                f"{self._env}: the write was refused: {diag.message_primary or type(exc).__name__}",
                value=diag.sqlstate,
                hint=diag.message_hint or None,
            ) from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
