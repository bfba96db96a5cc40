"""Where a data dir's job daemon is found: ``jobs/daemon.json`` (pid, loopback port, token),
``jobs/daemon.lock`` (held while a process starts one, so two never start) and its log."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DaemonAddress", "DaemonFiles"]


@dataclass(frozen=True)
class DaemonAddress:
    pid: int
    port: int
    token: str


class DaemonFiles:
    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "jobs"
        self.address_file = self.folder / "daemon.json"
        self.lock_file = self.folder / "daemon.lock"
        self.log_file = self.folder / "daemon.log"
        self.failure_file = self.folder / "daemon.failed.json"

    def read(self) -> DaemonAddress | None:
        try:
            raw = json.loads(self.address_file.read_text())
            return DaemonAddress(int(raw["pid"]), int(raw["port"]), str(raw["token"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def publish(self, pid: int, port: int, token: str) -> None:
        """Write the address (0600: the token lets a process stop the daemon), temp then rename."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=".daemon.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as out:
                json.dump({"pid": pid, "port": port, "token": token}, out)
            os.chmod(name, 0o600)
            os.replace(name, self.address_file)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise

    def record_failure(self, error: dict[str, object]) -> None:
        """Why the daemon could not start (a coded error), for the process that started it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.failure_file.write_text(json.dumps(error))

    def take_failure(self) -> dict[str, object] | None:
        try:
            error = json.loads(self.failure_file.read_text())
        except (OSError, ValueError):
            return None
        self.failure_file.unlink(missing_ok=True)
        return error if isinstance(error, dict) else None

    def withdraw(self, token: str) -> None:
        """Remove the address if it is still this daemon's."""
        found = self.read()
        if found is not None and found.token == token:
            self.address_file.unlink(missing_ok=True)

    @contextlib.contextmanager
    def starting(self) -> Iterator[None]:
        """Hold the start lock: the one process that starts the daemon, the others wait."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
