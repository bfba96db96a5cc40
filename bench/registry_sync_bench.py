"""registry-sync: 20 muscles to two environments over the direct PostgreSQL backend.

Records come from MuscleSpec: media_v2's real spec (introspected by the sentinel) under 20
names, each with the SKILL.md the sentinel renders for it. Two fresh databases on the real
PostgreSQL at 127.0.0.1:5432 play staging and production.

Measured, in one run:
- ours, first sync: plan + apply for both environments (writes per environment: target 1)
- ours, no-op re-sync: plan + apply when everything is in sync (target: 0 writes, under 1 s)
- anchor: the naive way, one INSERT .. ON CONFLICT per muscle, each in its own transaction,
  into two other fresh databases (the ratio ours/anchor is printed)

Run it with::

    uv run python bench/registry_sync_bench.py [--muscles 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from _timing import Summary, ratio_line
from psycopg.types.json import Jsonb
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.discovery import locate  # noqa: E402
from registry_sync.backends.postgres import PostgresBackend, upsert_statement  # noqa: E402
from registry_sync.local import LocalState, records_from_specs  # noqa: E402
from registry_sync.migrate import apply_migrations  # noqa: E402
from registry_sync.sync import run_apply  # noqa: E402
from registry_sync.vault import EnvName  # noqa: E402
from sentinel.generate import introspect  # noqa: E402
from sentinel.render import render_skill  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ROLES = """do $$ begin
  if not exists (select 1 from pg_roles where rolname='anon') then create role anon nologin; end if;
  if not exists (select 1 from pg_roles where rolname='authenticated') then create role authenticated nologin; end if;
  if not exists (select 1 from pg_roles where rolname='service_role') then create role service_role nologin bypassrls; end if;
exception when duplicate_object or unique_violation then null; end $$;"""


def make_db(migrations: Path) -> tuple[str, str]:
    name = f"rs_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(ROLES)
        conn.execute(f'create database "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    apply_migrations("bench", SecretStr(dsn), migrations)
    return name, dsn


def drop_db(name: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def build_local(count: int, workdir: Path) -> LocalState:
    spec = introspect(locate(ROOT / "muscles" / "media" / "media_v2" / "service.py"))
    specs = []
    for i in range(count):
        name = f"bench_muscle_{i:02d}"
        variant = spec.model_copy(
            update={
                "name": name,
                "module": f"muscles.media.{name}.service",
                "service_path": f"muscles/media/{name}/service.py",
            }
        )
        folder = workdir / "muscles" / "media" / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(render_skill(variant))
        specs.append(variant)
    return LocalState(records_from_specs(workdir, specs), None, "bench")


def sync(local: LocalState, dsns: dict[EnvName, str]) -> tuple[float, dict[str, int]]:
    backends: dict[str, PostgresBackend] = {}

    def factory(env: EnvName) -> PostgresBackend:
        backends[env] = PostgresBackend(env, SecretStr(dsns[env]))
        return backends[env]

    start = time.perf_counter()
    outcomes = run_apply(("staging", "production"), local, factory, prune=False)
    elapsed = time.perf_counter() - start
    assert all(o.status == "ok" for o in outcomes), [o.to_dict() for o in outcomes]
    return elapsed, {env: backend.writes for env, backend in backends.items()}


def naive(local: LocalState, dsns: dict[EnvName, str]) -> float:
    """The anchor: a row at a time, one transaction each, no plan."""
    start = time.perf_counter()
    for dsn in dsns.values():
        with psycopg.connect(dsn, autocommit=True) as conn:
            for record in local.records.values():
                row = record.row(status="active", source_commit=None, synced_by="bench")
                with conn.transaction():
                    conn.execute(upsert_statement(), (Jsonb([row]),))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--muscles", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    migrations = Path(tempfile.mkdtemp(prefix="rs-bench-migrations-"))
    for path in sorted((ROOT / "supabase" / "migrations").glob("*_registry*.sql")):
        (migrations / path.name).write_text(path.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        local = build_local(args.muscles, Path(tmp))
        first, noop, anchor, made = [], [], [], []
        writes: dict[str, int] = {}
        noop_writes: dict[str, int] = {}
        try:
            for _ in range(args.rounds):
                ours = [make_db(migrations) for _ in range(2)]
                theirs = [make_db(migrations) for _ in range(2)]
                made += [n for n, _ in ours + theirs]
                dsns: dict[EnvName, str] = {"staging": ours[0][1], "production": ours[1][1]}
                elapsed, writes = sync(local, dsns)
                first.append(elapsed)
                elapsed, noop_writes = sync(local, dsns)
                noop.append(elapsed)
                anchor.append(naive(local, {"staging": theirs[0][1], "production": theirs[1][1]}))
        finally:
            for name in made:
                drop_db(name)
    print(f"registry-sync, {args.muscles} muscles x 2 environments, direct backend, {args.rounds} rounds")
    print(Summary.of(first).line("first"))
    print(f"  writes per environment (first sync): {json.dumps(writes)}   target: 1 each")
    print(Summary.of(noop).line("no-op"))
    print(f"  writes per environment (no-op sync): {json.dumps(noop_writes)}   target: 0, under 1000 ms")
    print(Summary.of(anchor).line("anchor"))
    print("  anchor = one upsert per muscle per environment, each its own transaction")
    print(ratio_line(Summary.of(first), Summary.of(anchor), target=1.0))


if __name__ == "__main__":
    main()
