"""The usage ledger on PostgreSQL with Supabase's roles: 1,000 calls from 4 tenants over real
HTTP make 1,000 records (the last written at the server's clean stop), each tenant reads only
its own rows under Row Level Security, only the service role writes, and the tenant with a
calls-per-minute quota is refused, with a coded error, from the call past its limit."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import anyio
import httpx2
import psycopg
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from core.metering import PostgresLedger
from core.serving import MountedMuscle, build_http_app
from core.serving.host import MuscleHost
from core.settings import Settings
from tests.postgres import as_role
from tests.servers import uvicorn_in_thread

TOKENS = {f"t{n}": f"token-{n}-0123456789abcdef" for n in range(1, 5)}
CALLS_EACH = 250
T4_LIMIT = 200
MINUTE = 1_800_000_000.0


async def _calls(url: str, tenant: str) -> list[str]:
    """``CALLS_EACH`` cheap calls as ``tenant``: the outcome of each (ok or the error code)."""
    headers = {"Authorization": f"Bearer {TOKENS[tenant]}"}
    outcomes = []
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):
        for _ in range(CALLS_EACH):
            result = await client.call_tool("list_assets", {"limit": 1})
            content = result.structured_content or {}
            outcomes.append(content["error"]["code"] if result.is_error else "ok")
    return outcomes


def test_1000_calls_from_4_tenants_are_1000_records_each_tenant_reads_its_own_and_a_quota_refuses(
    ledger_database: str, tmp_path: Path
) -> None:
    module = importlib.reload(importlib.import_module("muscles.media.media_v2.mcp"))
    settings = Settings(
        data_dir=tmp_path / "data",
        signing_key="k",
        auth_tokens=TOKENS,
        ledger_database_url=ledger_database,
        ledger_batch_size=100,
        quota_overrides={"t4": {"calls_per_minute": T4_LIMIT}},
    )
    module.runtime.configure(settings)
    # The quota window is the calendar minute: a fixed clock keeps all calls in one.
    host = MuscleHost(settings, clock=lambda: MINUTE + 5)
    app = build_http_app(
        [MountedMuscle("media_v2", module.server, module.runtime)], settings, single=True, host=host
    )

    async def everyone(url: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}

        async def one(tenant: str) -> None:
            found[tenant] = await _calls(url, tenant)

        async with anyio.create_task_group() as group:
            for tenant in TOKENS:
                group.start_soon(one, tenant)
        return found

    with uvicorn_in_thread(app) as url:
        outcomes = anyio.run(everyone, url)
    # The server has stopped (a clean stop): every record is in the database now.

    assert outcomes["t4"] == ["ok"] * T4_LIMIT + ["quota_exceeded"] * (CALLS_EACH - T4_LIMIT)
    assert all(outcomes[t] == ["ok"] * CALLS_EACH for t in ("t1", "t2", "t3"))
    with psycopg.connect(ledger_database) as conn:
        rows = conn.execute(
            "select tenant_id, actor, muscle, tool, outcome, count(*) from public.usage_ledger "
            "group by 1, 2, 3, 4, 5 order by 1, 5"
        ).fetchall()
    assert rows == [
        ("t1", "t1", "media_v2", "list_assets", "ok", 250),
        ("t2", "t2", "media_v2", "list_assets", "ok", 250),
        ("t3", "t3", "media_v2", "list_assets", "ok", 250),
        ("t4", "t4", "media_v2", "list_assets", "ok", 200),
        ("t4", "t4", "media_v2", "list_assets", "quota_exceeded", 50),
    ]

    for tenant in TOKENS:
        claims = json.dumps({"sub": "user-1", "role": "authenticated", "tenant_id": tenant})
        seen = as_role(
            ledger_database, "authenticated", "select tenant_id from public.usage_ledger", claims=claims
        )
        assert len(seen) == CALLS_EACH and {row[0] for row in seen} == {tenant}
    nested = json.dumps({"sub": "user-2", "app_metadata": {"tenant_id": "t2"}})
    assert (
        len(as_role(ledger_database, "authenticated", "select 1 from public.usage_ledger", claims=nested))
        == 250
    )
    no_tenant = json.dumps({"sub": "user-3"})
    assert (
        as_role(ledger_database, "authenticated", "select 1 from public.usage_ledger", claims=no_tenant) == []
    )


def test_only_the_service_role_writes_and_anon_reads_nothing(ledger_database: str) -> None:
    row = (
        "00000000000000000000000000000001",
        "t1",
    )
    insert = (
        "insert into public.usage_ledger (record_id, recorded_at, tenant_id, actor, muscle, tool, duration_s, "
        "cpu_s, bytes_in, bytes_out, outcome) values (%s, now(), %s, 'a', 'm', 't', 0, 0, 0, 0, 'ok')"
    )
    claims = json.dumps({"sub": "user-1", "tenant_id": "t1"})
    for role in ("anon", "authenticated"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_role(ledger_database, role, insert, row, claims=claims)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(ledger_database, "anon", "select * from public.usage_ledger")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(ledger_database, "authenticated", "delete from public.usage_ledger", claims=claims)
    as_role(ledger_database, "service_role", insert, row)
    assert as_role(
        ledger_database, "authenticated", "select tenant_id from public.usage_ledger", claims=claims
    ) == [("t1",)]


def test_the_postgres_backend_sums_cpu_and_forgets_old_records(ledger_database: str) -> None:
    from tests.core.metering.test_writer import usage

    ledger = PostgresLedger(ledger_database)
    old, new = usage(1), usage(2)
    records: list[Any] = [
        type(old)(**{**old.__dict__, "cpu_s": 2.5, "recorded_at": 1000.0}),
        type(new)(**{**new.__dict__, "cpu_s": 1.5, "recorded_at": 5000.0}),
    ]
    ledger.write(records)
    ledger.write(records)  # a retried batch: nothing twice
    assert len(ledger.records("t1")) == 2
    assert ledger.cpu_seconds_since("t1", 0.0) == 4.0 and ledger.cpu_seconds_since("t1", 2000.0) == 1.5
    assert ledger.delete_before(2000.0) == 1
    assert [r.record_id for r in ledger.records("t1")] == [new.record_id]
    ledger.close()


def test_every_supabase_migration_applies_in_order_like_db_push_and_again_as_a_no_op() -> None:
    from pydantic import SecretStr

    from core.discovery import project_root
    from registry_sync.migrate import apply_migrations
    from tests.postgres import fresh_database

    folder = project_root() / "supabase" / "migrations"
    with fresh_database() as dsn:
        applied = apply_migrations("test", SecretStr(dsn), folder)
        assert applied == [path.name for path in sorted(folder.glob("*.sql"))]
        assert apply_migrations("test", SecretStr(dsn), folder) == []
        with psycopg.connect(dsn) as conn:
            secured = conn.execute(
                "select relname from pg_class where relrowsecurity and relname in "
                "('usage_ledger', 'governance_decisions') order by 1"
            ).fetchall()
    assert secured == [("governance_decisions",), ("usage_ledger",)]
