"""Find, verify and (for local and test databases) apply the spine's migration.

The migration in ``supabase/migrations/`` is the single source of the schema: ``supabase db
push`` applies it in deployments; a gateway that finds it missing applies the same file itself
when it can see the repository (it is idempotent), else it refuses to start with a coded error.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from core.errors import ConfigError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "supabase" / "migrations"
MIGRATION_NAME = "20261122000300_gateway_event_spine.sql"
MIGRATION_PATH = MIGRATIONS_DIR / MIGRATION_NAME
CANVAS_MIGRATION_NAME = "20261201000100_gateway_canvas_state.sql"
# The gateway's migrations, in the order they apply.
MIGRATION_PATHS = (MIGRATION_PATH, MIGRATIONS_DIR / CANVAS_MIGRATION_NAME)

# Any stable 64-bit number: serialises replicas that start together on an empty database.
_SCHEMA_LOCK_KEY = 0x5350494E45  # "SPINE"

_PRESENT_SQL = """
SELECT to_regclass('gateway.spine_events') IS NOT NULL
   AND to_regclass('gateway.spine_streams') IS NOT NULL
   AND to_regclass('gateway.spine_commands') IS NOT NULL
   AND to_regprocedure('gateway.spine_append(text,text,text,jsonb)') IS NOT NULL
   AND to_regprocedure('gateway.spine_append_many(text,text[],text[],jsonb[])') IS NOT NULL
   AND to_regprocedure('gateway.spine_append_command(text,text,text,text,text,jsonb)') IS NOT NULL
   AND to_regclass('gateway.canvas_states') IS NOT NULL
   AND to_regclass('gateway.canvas_revisions') IS NOT NULL
   AND to_regclass('gateway.canvas_snapshots') IS NOT NULL
   AND to_regprocedure('gateway.canvas_begin(text,bigint,text)') IS NOT NULL
   AND to_regprocedure('gateway.canvas_apply(text,text,text,bigint,text,text,jsonb,jsonb,text,text,bigint,'
       'bigint,text,jsonb,bigint,bigint,boolean,integer)') IS NOT NULL
"""


class SpineSchemaMissing(ConfigError):
    code = "spine_schema_missing"
    default_hint = (
        f"Apply supabase/migrations/{MIGRATION_NAME} and {CANVAS_MIGRATION_NAME} to the database "
        "(supabase db push)."
    )


async def schema_present(conn: psycopg.AsyncConnection[tuple[object, ...]]) -> bool:
    cur = await conn.execute(_PRESENT_SQL)
    row = await cur.fetchone()
    return bool(row and row[0])


async def ensure_schema(conn: psycopg.AsyncConnection[tuple[object, ...]], *, apply: bool) -> None:
    """Verify the schema; apply the migration files when allowed and found."""
    if await schema_present(conn):
        return
    if not apply or not all(path.is_file() for path in MIGRATION_PATHS):
        raise SpineSchemaMissing(
            "the gateway spine tables are missing from the database", value=MIGRATION_NAME
        )
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
        for path in MIGRATION_PATHS:
            # No parameters: psycopg sends the file with the simple query protocol, several
            # statements at once. Each file is idempotent.
            await conn.execute(path.read_bytes())
