"""Shared test helpers: services that must exist in CI, and a scratch muscles project."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MOTO_START_TIMEOUT_S = 30.0


def require(condition: bool, reason: str) -> None:
    """Skip when a needed service is not configured here; in CI a missing service fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def scratch_project(tmp_path: Path) -> Path:
    """An empty project root with a ``muscles`` package, for services written by tests."""
    (tmp_path / "muscles").mkdir()
    (tmp_path / "muscles" / "__init__.py").write_text("")
    return tmp_path


def add_service(root: Path, category: str, name: str, source: str) -> Path:
    folder = root / "muscles" / category / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "__init__.py").touch()
    (folder / "__init__.py").touch()
    path = folder / "service.py"
    path.write_text(source)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_http(proc: subprocess.Popen[bytes], url: str, timeout_s: float) -> str | None:
    """Poll ``url`` until it answers; return why it never did, or None once it does."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return f"moto server exited with status {proc.returncode}"
            try:
                client.get(url)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            return None
    return f"moto server did not answer within {timeout_s:.0f}s"


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real moto S3 server on 127.0.0.1, running for the whole session."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    endpoint = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            require(False, f"cannot start moto server: {exc}")
    try:
        problem = _wait_for_http(proc, endpoint, MOTO_START_TIMEOUT_S)
        if problem is not None:
            require(False, f"{problem}; log tail:\n{log_path.read_text(errors='replace')[-2000:]}")
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
