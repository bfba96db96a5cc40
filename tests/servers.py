"""Server subprocesses for tests: start one, wait (bounded) until /health/ready answers."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

START_TIMEOUT_S = 60.0


@dataclass
class RunningServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_until_ready(
    argv: list[str], env: dict[str, str], log: Path, port: int, *, what: str, cwd: Path | None = None
) -> RunningServer:
    """Run ``argv`` (serving on 127.0.0.1:``port``) with its output in ``log``; fail the test,
    with that output, if it exits or is not ready within :data:`START_TIMEOUT_S`."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            try:
                if client.get(f"{base_url}/health/ready").status_code == 200:
                    return RunningServer(base_url, process, log)
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"{what} not ready within {START_TIMEOUT_S}s:\n{log.read_text(errors='replace')}")
