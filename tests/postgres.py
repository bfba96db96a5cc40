"""PostgreSQL for tests: fresh databases with Supabase's roles and the usage-ledger migration, and
queries run as one of Supabase's roles with a signed-in user's claims."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from core.discovery import project_root
from tests.conftest import require

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
_MIGRATIONS = project_root() / "supabase" / "migrations"
LEDGER_MIGRATIONS = [
    next(_MIGRATIONS.glob("*_usage_ledger.sql")),
    next(_MIGRATIONS.glob("*_governance_decisions.sql")),
]

# Supabase's API roles as its images create them (no login; service_role bypasses RLS).
SUPABASE_ROLES = """
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit; end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls; end if;
exception when duplicate_object or unique_violation then null;
end
$$;
"""


def apply_ledger_migration(dsn: str, migrations: list[Path] | None = None) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for path in migrations or LEDGER_MIGRATIONS:
            conn.execute(path.read_text())  # type: ignore[arg-type]


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """The DSN of a new, empty database (Supabase's roles exist cluster-wide); dropped afterwards.
    Skips (fails in CI) when PostgreSQL is not reachable."""
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(SUPABASE_ROLES)
            admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL at 127.0.0.1:5432 not reachable: {exc}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@contextlib.contextmanager
def ledger_database() -> Iterator[str]:
    """The DSN of a new database holding public.usage_ledger and public.governance_decisions
    (migrations applied twice: idempotent); dropped afterwards."""
    with fresh_database() as dsn:
        apply_ledger_migration(dsn)
        apply_ledger_migration(dsn)
        yield dsn


def as_role(
    dsn: str, role: str, query: str, params: tuple[Any, ...] = (), claims: str | None = None
) -> list[Any]:
    """Run ``query`` as ``role`` (with ``claims`` as PostgREST sets them for a signed-in user)."""
    with psycopg.connect(dsn) as conn:
        if claims is not None:
            conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
        cur = conn.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []
