"""The job table: SQLite bookkeeping of every job, so a restarted server can report and resume.

It is not a queue (Dask schedules); it records what was asked and how it ended. WAL mode lets
a reader (another server process, a shell) look while the engine writes. Calls are blocking
and thread-safe: the engine makes them from a worker thread, never on the event loop.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from pydantic import JsonValue

from core.jobs.model import JobStatus, canonical_json

__all__ = ["JobRecord", "JobTable"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id     TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    function   TEXT NOT NULL,
    spec       TEXT NOT NULL,
    state      TEXT NOT NULL,
    progress   REAL NOT NULL,
    message    TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    result     TEXT,
    error      TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
"""

_COLUMNS = (
    "job_id, tenant_id, kind, function, spec, state, progress, message, attempts, result, error, "
    "created_at, updated_at"
)


@dataclass(frozen=True)
class JobRecord:
    """A row: the public status plus what it takes to run the job again."""

    tenant_id: str
    function: str
    spec: dict[str, JsonValue]
    status: JobStatus
    # The Dask key of the current run; events and results of older runs carry another key.
    run_key: str | None = None

    @property
    def job_id(self) -> str:
        return self.status.job_id

    def with_status(self, **changes: Any) -> JobRecord:
        return replace(self, status=self.status.model_copy(update=changes))


def _dump(value: dict[str, JsonValue] | None) -> str | None:
    return None if value is None else canonical_json(value)


def _load(text: str | None) -> dict[str, JsonValue] | None:
    return None if text is None else cast(dict[str, JsonValue], json.loads(text))


class JobTable:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL under WAL: a power cut may lose the last commits but never corrupts the file;
        # progress rows are rewritten several times a second, so a full fsync each is waste.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def save(self, records: Iterable[JobRecord]) -> None:
        rows = [
            (
                r.job_id,
                r.tenant_id,
                r.status.kind,
                r.function,
                canonical_json(r.spec),
                r.status.state,
                r.status.progress,
                r.status.message,
                r.status.attempts,
                _dump(r.status.result),
                _dump(r.status.error),
                r.status.created_at,
                r.status.updated_at,
            )
            for r in records
        ]
        placeholders = ", ".join("?" * len(_COLUMNS.split(", ")))
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    f"INSERT OR REPLACE INTO jobs ({_COLUMNS}) VALUES ({placeholders})",  # noqa: S608 - constants
                    rows,
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def delete_finished_before(self, cutoff: float) -> list[str]:
        """Forget finished jobs last updated before ``cutoff`` (unix seconds); their ids."""
        finished = ("succeeded", "failed", "cancelled")
        with self._lock:
            rows = self._db.execute(
                "DELETE FROM jobs WHERE updated_at < ? AND state IN (?, ?, ?) RETURNING job_id",
                (cutoff, *finished),
            ).fetchall()
        return [row[0] for row in rows]

    def load_all(self) -> list[JobRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY created_at").fetchall()  # noqa: S608
        return [_record(row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _record(row: tuple[Any, ...]) -> JobRecord:
    (
        job_id,
        tenant_id,
        kind,
        function,
        spec,
        state,
        progress,
        message,
        attempts,
        result,
        error,
        created,
        updated,
    ) = row
    status = JobStatus(
        job_id=job_id,
        kind=kind,
        state=state,
        progress=progress,
        message=message,
        attempts=attempts,
        result=_load(result),
        error=_load(error),
        created_at=created,
        updated_at=updated,
    )
    return JobRecord(tenant_id=tenant_id, function=function, spec=json.loads(spec), status=status)
