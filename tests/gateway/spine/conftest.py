"""Spine fixtures: a real PostgreSQL database per test module (migration applied), SQLite files."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from gateway.spine.base import Spine
from gateway.spine.postgres import PostgresSpine
from gateway.spine.postgres_schema import MIGRATION_PATHS
from gateway.spine.sqlite import SqliteSpine
from tests.conftest import require

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def create_database(prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def dsn_for(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def pg_dsn() -> Iterator[str]:
    """A fresh database for this module with the spine migration applied, as deployments do."""
    require(_postgres_reachable(), "PostgreSQL is not reachable at 127.0.0.1:5432")
    name = create_database("spine_test")
    try:
        with psycopg.connect(dsn_for(name), autocommit=True) as conn:
            for path in MIGRATION_PATHS:
                conn.execute(path.read_bytes())
        yield dsn_for(name)
    finally:
        drop_database(name)


@pytest.fixture
def stream() -> str:
    """A stream of its own per test: tests share the module's database."""
    return f"tenant-a/canvas/{uuid.uuid4().hex}"


def make_spine(kind: str, pg_dsn: str | None, sqlite_path: Path, **options: Any) -> Spine:
    if kind == "postgres":
        assert pg_dsn is not None
        return PostgresSpine(pg_dsn, apply_schema=False, **options)
    return SqliteSpine(sqlite_path, **options)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def backend_dsn(backend: str, request: pytest.FixtureRequest) -> str | None:
    if backend != "postgres":
        return None
    dsn: str = request.getfixturevalue("pg_dsn")
    return dsn


@pytest.fixture
async def spine(backend: str, backend_dsn: str | None, tmp_path: Path) -> AsyncIterator[Spine]:
    opened = make_spine(backend, backend_dsn, tmp_path / "spine.sqlite3")
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
