"""The registry migrations on a fresh PostgreSQL database: tables, the write rules enforced by
triggers, Row Level Security with Supabase's roles, and the capability resolver."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import SecretStr

from core.spec import MuscleSpec
from registry_sync.backends.postgres import upsert_statement
from registry_sync.migrate import apply_migrations
from registry_sync.records import record_from_spec
from sentinel.render import render_skill
from tests.registry_sync.conftest import REGISTRY_MIGRATIONS, variant


def _row(spec: MuscleSpec, status: str = "active") -> dict[str, Any]:
    return record_from_spec(spec, render_skill(spec)).row(status=status, source_commit=None, synced_by="test")


def _as(dsn: str, role: str, query: str | sql.Composable, params: tuple[Any, ...] = ()) -> list[Any]:
    with psycopg.connect(dsn) as conn:
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def _upsert(dsn: str, rows: list[dict[str, Any]], role: str = "service_role") -> None:
    _as(dsn, role, upsert_statement(), (Jsonb(rows),))


def test_migrations_apply_to_a_fresh_database_and_are_recorded_like_supabase_db_push(
    make_database: Callable[..., str], tmp_path: Path
) -> None:
    dsn = make_database(migrated=False)
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in REGISTRY_MIGRATIONS:
        (folder / path.name).write_text(path.read_text())
    assert apply_migrations("staging", SecretStr(dsn), folder) == [p.name for p in REGISTRY_MIGRATIONS]
    assert apply_migrations("staging", SecretStr(dsn), folder) == []
    with psycopg.connect(dsn) as conn:
        recorded = conn.execute(
            "select version, name from supabase_migrations.schema_migrations order by 1"
        ).fetchall()
        relations = conn.execute(
            "select relname, relrowsecurity from pg_class where relname in ('muscles', 'muscle_versions') order by 1"
        ).fetchall()
    assert [v for v, _ in recorded] == [p.name.split("_", 1)[0] for p in REGISTRY_MIGRATIONS]
    assert relations == [("muscle_versions", True), ("muscles", True)]


def test_authenticated_reads_anon_reads_nothing_and_only_the_service_role_writes(
    database: str, media_spec: MuscleSpec
) -> None:
    _upsert(database, [_row(media_spec)])
    assert _as(database, "authenticated", "select name from public.muscles") == [("media_v2",)]
    assert _as(database, "authenticated", "select count(*) from public.muscle_versions") == [(1,)]
    for role, query in (
        ("anon", "select name from public.muscles"),
        ("anon", "select name from public.muscle_versions"),
        ("anon", "update public.muscles set status = 'deleted'"),
        ("authenticated", "update public.muscles set status = 'deleted'"),
        ("authenticated", "delete from public.muscles"),
        ("authenticated", "insert into public.muscle_versions select * from public.muscle_versions"),
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as(database, role, query)
    for role in ("anon", "authenticated"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _upsert(database, [_row(variant(media_spec, "other"))], role=role)
    _upsert(database, [_row(variant(media_spec, "other"))], role="service_role")
    assert _as(database, "service_role", "select count(*) from public.muscles") == [(2,)]


def test_resending_identical_content_changes_nothing_not_even_updated_at(
    database: str, media_spec: MuscleSpec
) -> None:
    _upsert(database, [_row(media_spec)])
    before = _as(database, "service_role", "select updated_at, synced_by, xmin::text from public.muscles")
    row = {**_row(media_spec), "synced_by": "someone-else"}
    _upsert(database, [row])
    assert (
        _as(database, "service_role", "select updated_at, synced_by, xmin::text from public.muscles")
        == before
    )


def test_a_changed_hash_needs_a_new_version(database: str, media_spec: MuscleSpec) -> None:
    _upsert(database, [_row(media_spec)])
    changed = media_spec.model_copy(update={"description": "Something else entirely."})
    with pytest.raises(psycopg.errors.CheckViolation, match="without a version bump"):
        _upsert(database, [_row(changed)])
    _upsert(database, [_row(changed.model_copy(update={"version": "1.0.1"}))])
    versions = _as(database, "authenticated", "select version from public.muscle_versions order by version")
    assert versions == [("1.0.0",), ("1.0.1",)]
    # Going back to 1.0.0 with other content than it was published with is refused too.
    with pytest.raises(psycopg.errors.CheckViolation, match="already published"):
        _upsert(database, [_row(changed.model_copy(update={"version": "1.0.0"}))])


def test_the_version_history_is_append_only(database: str, media_spec: MuscleSpec) -> None:
    _upsert(database, [_row(media_spec)])
    for query in (
        "update public.muscle_versions set version = '9.9.9'",
        "delete from public.muscle_versions",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), psycopg.connect(database) as conn:
            conn.execute(query)  # as the owner: the trigger, not a grant, refuses


def test_the_capability_resolver_returns_active_tools_providing_a_capability(
    database: str, media_spec: MuscleSpec
) -> None:
    renderer = variant(media_spec, "video_render", capabilities=("cap.video.render",))
    gone = variant(media_spec, "old_render", capabilities=("cap.video.render",))
    _upsert(database, [_row(media_spec), _row(renderer), _row(gone, status="deleted")])
    rows = _as(
        database, "authenticated", "select muscle, tool from public.resolve_capability('cap.video.render')"
    )
    assert {muscle for muscle, _ in rows} == {"video_render"}
    assert sorted(tool for _, tool in rows) == sorted(t.name for t in renderer.tools)
    assert _as(
        database, "authenticated", "select count(*) from public.resolve_capability('cap.nothing.here')"
    ) == [(0,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as(database, "anon", "select * from public.resolve_capability('cap.video.render')")
    view = _as(database, "authenticated", "select input_schema from public.muscle_capability_tools limit 1")
    assert json.dumps(view[0][0])  # schemas come back as JSON objects


def test_every_migration_has_a_version_of_its_own() -> None:
    """`supabase db push` keys migrations by the timestamp before the first underscore: two files
    with one version would apply one and record it for both."""
    from tests.registry_sync.conftest import MIGRATIONS

    versions = [path.name.split("_", 1)[0] for path in sorted(MIGRATIONS.glob("*.sql"))]
    assert len(versions) == len(set(versions)), versions
