"""Gateway test fixtures: real uvicorn servers on free loopback ports, signed JWTs, scopes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import psycopg
import pytest
import uvicorn

from core.scope import Scope
from gateway.app import create_app
from gateway.canvas.manifest import ToolGate, maturity_gate
from gateway.client import canvas_path
from gateway.context import GatewayContext
from gateway.lenses import DEFAULT_LENSES, Lens
from gateway.settings import load_gateway_config
from gateway.spine import Spine
from tests.conftest import free_port, require
from tests.servers import START_TIMEOUT_S, RunningServer, start_until_ready

SECRET = "gateway-test-secret-0123456789abcdef"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

SCOPE = Scope(
    tenant_id="tenant-a",
    mode="edit",
    project_id="proj-1",
    surface_id="surf-1",
    app_id="app-1",
    canvas_id="canvas-1",
)
CANVAS = canvas_path(SCOPE)


def token(
    tenant: str = "tenant-a",
    *,
    actor: str = "canvas",
    role: str | None = None,
    pinned: dict[str, str] | None = None,
    ttl_s: float = 3600,
    secret: str = SECRET,
    subject: str | None = None,
) -> str:
    claims: dict[str, Any] = {
        "sub": subject or f"{actor}-{role or 'user'}",
        "tenant_id": tenant,
        "actor": actor,
        "exp": int(time.time() + ttl_s),
    }
    if role is not None:
        claims["agent_role"] = role
    if pinned:
        claims["atoms_scope"] = pinned
    return jwt.encode(claims, secret, algorithm="HS256")


def auth(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@dataclass
class Gateway:
    base_url: str
    ctx: GatewayContext


@contextlib.contextmanager
def serve_gateway(
    tmp: Path,
    *,
    spine: Spine | None = None,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], float] = time.time,
    lenses: Mapping[str, Lens] = DEFAULT_LENSES,
    settings: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    tool_gate: ToolGate = maturity_gate,
) -> Iterator[Gateway]:
    """The gateway app on uvicorn in a background thread, on a free loopback port."""
    config = load_gateway_config(
        {"data_dir": tmp / "data", "signing_key": "gw-signing-key", **(settings or {})},
        {"ping_s": 5.0, "jwt_secret": SECRET, "tool_catalog": "none", **(options or {})},
    )
    app = create_app(config, spine=spine, clock=clock, now=now, lenses=lenses, tool_gate=tool_gate)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the gateway did not start")
        time.sleep(0.02)
    try:
        yield Gateway(f"http://127.0.0.1:{port}", app.state.ctx)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    with serve_gateway(tmp_path) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
def spine_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Gateway options for each real spine: the embedded SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return {}
    return {"database_url": request.getfixturevalue("pg_database")}


def pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database of this test's own, dropped afterwards; yields its URL."""
    require(pg_available(), "PostgreSQL is not reachable at 127.0.0.1:5432")
    name = f"gw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def gateway_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
    env.update(
        {
            "ATOMS_DATA_DIR": str(tmp / "data"),
            "ATOMS_JWT_SECRET": SECRET,
            "ATOMS_LOG_LEVEL": "WARNING",
            "ATOMS_GATEWAY_TOOL_CATALOG": "none",
        }
    )
    env.update(extra)
    return env


def start_gateway_process(env: dict[str, str], log: Path) -> RunningServer:
    """``gateway serve`` as a subprocess; waits (bounded) for /health/ready."""
    port = free_port()
    argv = [sys.executable, "-m", "gateway", "serve", "--port", str(port)]
    return start_until_ready(argv, env, log, port, what="gateway")


def stop_process(proc: subprocess.Popen[bytes], timeout_s: float = 15) -> int:
    proc.terminate()
    try:
        return proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
