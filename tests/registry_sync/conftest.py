"""Fixtures: a fresh PostgreSQL database per test (migrated, with Supabase's roles), signed
Supabase-style keys, the PostgREST test double over real HTTP, and a project of muscles."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import psycopg
import pytest
from pydantic import SecretStr

from core.discovery import locate, project_root
from core.spec import MuscleSpec
from registry_sync.config import RegistrySettings
from registry_sync.migrate import apply_migrations
from sentinel.generate import introspect
from sentinel.render import render_skill
from tests.conftest import free_port, require
from tests.registry_sync.postgrest_double import PostgrestDouble, ServedDouble

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
MIGRATIONS = project_root() / "supabase" / "migrations"
REGISTRY_MIGRATIONS = sorted(MIGRATIONS.glob("*_registry*.sql"))

# Supabase's API roles as its images create them: no login, service_role bypasses RLS.
# Roles are cluster-wide, so create them only when absent (other suites may have made them).
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


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def postgres() -> None:
    try:
        with _admin() as conn:
            conn.execute(SUPABASE_ROLES)
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL at 127.0.0.1:5432 not reachable: {exc}")


@pytest.fixture
def make_database(postgres: None) -> Iterator[Callable[..., str]]:
    """Make uniquely named databases (migrated unless told otherwise); all dropped afterwards."""
    made: list[str] = []

    def make(*, migrated: bool = True) -> str:
        name = f"rs_test_{uuid.uuid4().hex[:12]}"
        with _admin() as conn:
            conn.execute(f'create database "{name}"')
        made.append(name)
        # A password in the URL: trust auth ignores it, and the tests prove it is never printed.
        dsn = f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/{name}"
        if migrated:
            folder = _registry_only(name)
            apply_migrations("test", SecretStr(dsn), folder)
        return dsn

    yield make
    with _admin() as conn:
        for name in made:
            conn.execute(f'drop database if exists "{name}" with (force)')


def _registry_only(name: str) -> Path:
    """A folder holding only this suite's migrations (others' are tested by their owners)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=f"{name}-migrations-"))
    for path in REGISTRY_MIGRATIONS:
        (folder / path.name).write_text(path.read_text())
    return folder


@pytest.fixture
def database(make_database: Callable[..., str]) -> str:
    return make_database()


# Secrets of this test session: random, so a leak is unmistakable in any output.
JWT_SECRET = secrets.token_urlsafe(32)
PASSWORD = "pw-" + secrets.token_hex(12)


def make_key(role: str) -> str:
    return jwt.encode(
        {"role": role, "iss": "supabase", "nonce": secrets.token_hex(8)}, JWT_SECRET, algorithm="HS256"
    )


SERVICE_KEY = make_key("service_role")
SERVICE_KEY_PROD = make_key("service_role")
ANON_KEY = make_key("anon")
AUTHENTICATED_KEY = make_key("authenticated")
ALL_SECRETS = (JWT_SECRET, PASSWORD, SERVICE_KEY, SERVICE_KEY_PROD, ANON_KEY, AUTHENTICATED_KEY)


@pytest.fixture(autouse=True)
def no_secret_in_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Every test of this suite: nothing it printed or logged holds a secret value."""
    yield
    captured = capsys.readouterr()
    text = captured.out + captured.err + caplog.text
    leaked = [s[:6] + "…" for s in ALL_SECRETS if s in text]
    assert leaked == [], f"secret values in captured output: {leaked}"


@pytest.fixture
def serve_double() -> Iterator[Callable[..., ServedDouble]]:
    served: list[ServedDouble] = []

    def serve(dsn: str, port: int | None = None) -> ServedDouble:
        server = ServedDouble(PostgrestDouble(dsn, JWT_SECRET), port or free_port()).start()
        served.append(server)
        return server

    yield serve
    for server in served:
        server.stop()


@pytest.fixture(scope="session")
def media_spec() -> MuscleSpec:
    """media_v2's real MuscleSpec, introspected by the sentinel once per session."""
    return introspect(locate(project_root() / "muscles" / "media" / "media_v2" / "service.py"))


def variant(spec: MuscleSpec, name: str, **changes: object) -> MuscleSpec:
    """The spec under another name (its category and service path follow), plus ``changes``."""
    update: dict[str, object] = {
        "name": name,
        "module": f"muscles.{spec.category}.{name}.service",
        "service_path": f"muscles/{spec.category}/{name}/service.py",
        **changes,
    }
    return spec.model_copy(update=update)


@dataclass
class Project:
    """A checkout of muscles for registry-sync: SKILL.md files on disk plus a `sentinel spec` dump."""

    root: Path

    @property
    def specs_file(self) -> Path:
        return self.root / "specs.json"

    def write(self, specs: list[MuscleSpec]) -> Project:
        import json

        for spec in specs:
            folder = self.root / Path(spec.service_path).parent
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "SKILL.md").write_text(render_skill(spec))
        self.specs_file.write_text(json.dumps([s.model_dump(mode="json") for s in specs]))
        return self

    def args(self) -> list[str]:
        return ["--path", str(self.root), "--specs", str(self.specs_file)]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "checkout")


def settings_for(vault: Path | None = None, **values: object) -> RegistrySettings:
    """Settings built explicitly, so no ATOMS_* variable of the machine leaks into a test."""
    return RegistrySettings(_env_file=None, vault_dir=vault, **values)  # type: ignore[call-arg]


def write_vault(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in files.items():
        (folder / name).write_text(value + "\n")
    return folder
