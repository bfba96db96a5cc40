"""The task table: which job backs each MCP task, and whose task it is.

A task lives in the same SQLite file as the job table (``ATOMS_JOBS_DB``), so it is as durable
as its job: a restarted server (or another process on the data dir) answers ``tasks/get`` for
it. A task is bound to the tenant and the actor that created it; its id is 24 random bytes
(unguessable, so it also serves as a capability, never as the only check). Once a task is
seen terminal its outcome is frozen here, so it never changes again even if its job is later
run again or forgotten. Expired tasks are deleted by :meth:`TaskTable.delete_expired`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = ["TaskRow", "TaskTable", "new_task_id"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id          TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    actor            TEXT NOT NULL,
    muscle           TEXT NOT NULL,
    tool             TEXT NOT NULL,
    job_id           TEXT NOT NULL,
    created_at       REAL NOT NULL,
    ttl_ms           INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    outcome          TEXT
);
CREATE INDEX IF NOT EXISTS tasks_created ON tasks (created_at);
"""
_COLUMNS: Final = (
    "task_id, tenant_id, actor, muscle, tool, job_id, created_at, ttl_ms, cancel_requested, outcome"
)


def new_task_id() -> str:
    """``task_`` + 32 url-safe characters (192 random bits)."""
    return "task_" + secrets.token_urlsafe(24)


@dataclass(frozen=True)
class TaskRow:
    task_id: str
    tenant_id: str
    actor: str
    muscle: str
    tool: str
    job_id: str
    created_at: float  # unix seconds
    ttl_ms: int | None  # None: kept until its job is forgotten
    cancel_requested: bool = False
    outcome: dict[str, Any] | None = None  # the frozen terminal task, once seen

    def expired(self, now: float) -> bool:
        return self.ttl_ms is not None and now * 1000 >= self.created_at * 1000 + self.ttl_ms


class TaskTable:
    """Blocking and thread-safe; call it off the event loop."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def create(self, row: TaskRow) -> None:
        """Write ``row``; committed when this returns (``tasks/get`` on any process finds it)."""
        with self._lock:
            self._db.execute(
                f"INSERT INTO tasks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constants
                (
                    row.task_id,
                    row.tenant_id,
                    row.actor,
                    row.muscle,
                    row.tool,
                    row.job_id,
                    row.created_at,
                    row.ttl_ms,
                    int(row.cancel_requested),
                    None if row.outcome is None else json.dumps(row.outcome),
                ),
            )

    def get(self, task_id: str) -> TaskRow | None:
        with self._lock:
            found = self._db.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE task_id = ?",  # noqa: S608 - constants
                (task_id,),
            ).fetchone()
        return _row(found) if found is not None else None

    def request_cancel(self, task_id: str) -> None:
        with self._lock:
            self._db.execute("UPDATE tasks SET cancel_requested = 1 WHERE task_id = ?", (task_id,))

    def freeze(self, task_id: str, outcome: dict[str, Any]) -> dict[str, Any]:
        """Record the task's terminal outcome unless one is recorded already; the one kept."""
        with self._lock:
            self._db.execute(
                "UPDATE tasks SET outcome = ? WHERE task_id = ? AND outcome IS NULL",
                (json.dumps(outcome), task_id),
            )
            found = self._db.execute("SELECT outcome FROM tasks WHERE task_id = ?", (task_id,)).fetchone()
        return json.loads(found[0]) if found is not None and found[0] is not None else outcome

    def delete(self, task_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM tasks WHERE task_id = ?", (task_id,))

    def delete_expired(self, now: float) -> int:
        """Forget tasks whose TTL has passed; how many."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM tasks WHERE ttl_ms IS NOT NULL AND created_at * 1000 + ttl_ms <= ?",
                (now * 1000,),
            )
        return cursor.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _row(found: tuple[Any, ...]) -> TaskRow:
    task_id, tenant, actor, muscle, tool, job_id, created, ttl, cancel, outcome = found
    return TaskRow(
        task_id=task_id,
        tenant_id=tenant,
        actor=actor,
        muscle=muscle,
        tool=tool,
        job_id=job_id,
        created_at=created,
        ttl_ms=ttl,
        cancel_requested=bool(cancel),
        outcome=None if outcome is None else json.loads(outcome),
    )
