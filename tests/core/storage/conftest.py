"""Shared storage fixtures: a controllable clock, a local store, and a real moto S3 server."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.storage import LocalStorage

MOTO_START_TIMEOUT_S = 30.0


class FakeClock:
    """A clock the test moves by hand; presigned URLs read their time from it."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def local_storage(tmp_path: Path, clock: FakeClock) -> LocalStorage:
    return LocalStorage(tmp_path / "media", base_url="http://media.test/", secret=b"test-secret", clock=clock)


def write_source(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path`` and return its sha256, as a caller of put_file would."""
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _unavailable(reason: str) -> None:
    # On CI a missing S3 server is a broken setup, not an optional extra.
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


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
            _unavailable(f"cannot start moto server: {exc}")
    try:
        problem = _wait_for_http(proc, endpoint, MOTO_START_TIMEOUT_S)
        if problem is not None:
            _unavailable(f"{problem}; log tail:\n{log_path.read_text(errors='replace')[-2000:]}")
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
