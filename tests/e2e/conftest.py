"""Real processes: muscle servers started as subprocesses, reached over real stdio and HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

START_TIMEOUT_S = 60.0


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
        }
    )
    env.update(extra)
    (tmp / "imports").mkdir(exist_ok=True)
    return env


@dataclass
class RunningServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_http(args: list[str], env: dict[str, str], log: Path, *, host: str = "127.0.0.1") -> RunningServer:
    """Start ``muscle <args> --port N`` and wait (bounded) until /health/ready answers 200."""
    port = free_port()
    env = {**env, "ATOMS_HTTP_PORT": str(port), "ATOMS_HTTP_HOST": host}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "muscles", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            try:
                if client.get(f"{base_url}/health/ready").status_code == 200:
                    return RunningServer(base_url, process, log)
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"server not ready within {START_TIMEOUT_S}s:\n{log.read_text(errors='replace')}")


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
