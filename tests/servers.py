"""Server subprocesses for tests: start one, wait (bounded) until /health/ready answers."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import free_port

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


@contextlib.contextmanager
def uvicorn_in_thread(app: Any) -> Iterator[str]:
    """Serve the ASGI ``app`` (its lifespan included) on 127.0.0.1 in a thread of this process;
    yields its base URL once it is started, and stops it cleanly (lifespan shutdown) after."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", log_config=None, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the in-thread server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
