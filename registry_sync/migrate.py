"""Apply pending Supabase migrations over a direct PostgreSQL connection, recording each in
``supabase_migrations.schema_migrations`` as the Supabase CLI does, so ``supabase db push``
and this agree on what is applied."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
from pydantic import SecretStr

from registry_sync.errors import RegistryUnreachable, RegistryWriteFailed
from registry_sync.vault import redact_db_url

__all__ = ["Migration", "apply_migrations", "pending_migrations"]

_FILE = re.compile(r"(\d{14})_([a-z0-9_]+)\.sql")

_TRACKING = """
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key, statements text[], name text
)
"""

Migration = tuple[str, str, Path]


def pending_migrations(folder: Path, applied: set[str]) -> list[Migration]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE.fullmatch(path.name)
        if match is not None and match.group(1) not in applied:
            found.append((match.group(1), match.group(2), path))
    return found


def apply_migrations(env: str, db_url: SecretStr, folder: Path, *, timeout_s: float = 10.0) -> list[str]:
    """Each pending migration in its own transaction, in file order; returns the names applied."""
    label = redact_db_url(db_url.get_secret_value())
    try:
        conn: psycopg.Connection[Any] = psycopg.connect(
            db_url.get_secret_value(), connect_timeout=max(1, round(timeout_s)), autocommit=True
        )
    except psycopg.Error:
        raise RegistryUnreachable(
            f"{env}: cannot connect to {label}",
            value=label,
            hint="Check supabase-db-url.txt (host, port, user, password) and that the database accepts "
            "connections from here.",
        ) from None
    done: list[str] = []
    with conn:
        conn.execute(_TRACKING)
        applied = {
            row[0] for row in conn.execute("select version from supabase_migrations.schema_migrations")
        }
        for version, name, path in pending_migrations(folder, applied):
            text = path.read_text()
            try:
                with conn.transaction():
                    conn.execute(text.encode())
                    conn.execute(
                        "insert into supabase_migrations.schema_migrations (version, statements, name) "
                        "values (%s, %s, %s)",
                        (version, [text], name),
                    )
            except psycopg.Error as exc:
                raise RegistryWriteFailed(
                    f"{env}: migration {path.name} failed: {exc.diag.message_primary or type(exc).__name__}",
                    value=path.name,
                    hint=exc.diag.message_hint or "Fix the migration; the ones before it stay applied.",
                ) from None
            done.append(path.name)
    return done
