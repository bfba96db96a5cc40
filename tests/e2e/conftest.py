"""Real processes: muscle servers started as subprocesses, reached over real stdio and HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.servers import RunningServer, start_until_ready


def muscle_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A clean ATOMS_* environment for a server subprocess (nothing inherited from the shell)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMS_")}
    env.update(
        {
            "ATOMS_DATA_DIR": str(tmp / "data"),
            "ATOMS_IMPORT_ROOTS": str(tmp / "imports"),
            "ATOMS_TENANT_ID": "tenant-a",
            "ATOMS_SIGNING_KEY": "e2e-signing-key",
            "ATOMS_LOG_LEVEL": "INFO",
            # A job daemon a test's server starts goes soon after its last job.
            "ATOMS_JOBS_IDLE_S": "30",
        }
    )
    env.update(extra)
    (tmp / "imports").mkdir(exist_ok=True)
    return env


def start_http(args: list[str], env: dict[str, str], log: Path, *, host: str = "127.0.0.1") -> RunningServer:
    """Start ``muscle <args> --port N`` and wait (bounded) until /health/ready answers 200."""
    port = free_port()
    env = {**env, "ATOMS_HTTP_PORT": str(port), "ATOMS_HTTP_HOST": host}
    argv = [sys.executable, "-m", "muscles", *args]
    return start_until_ready(argv, env, log, port, what="server")


def stop(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture
def all_muscles(tmp_path: Path) -> Iterator[tuple[RunningServer, Path]]:
    """``muscle serve --all`` on loopback with embedded defaults; yields it and its import root."""
    server = start_http(["serve", "--all"], muscle_env(tmp_path), tmp_path / "server.log")
    yield server, tmp_path / "imports"
    stop(server)
