"""The job table: the one record of every job on a data dir, shared by every process on it.

Servers write a job when it is submitted (and a cancel request); the job daemon writes how it
runs and ends; everybody reads. It is not the queue's engine (Dask schedules) but it is how a
job outlives the process that submitted it. WAL mode lets readers look while a writer writes;
calls are blocking and thread-safe (run them off the event loop).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from core.jobs._batch_table import BATCH_SCHEMA, BatchRow, BatchTable
from core.jobs.model import TERMINAL_STATES, JobError, JobStatus, canonical_json

__all__ = ["BatchRow", "JobRow", "JobTable"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id           TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    function         TEXT NOT NULL,
    spec             TEXT NOT NULL,
    state            TEXT NOT NULL,
    progress         REAL NOT NULL,
    message          TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    result           TEXT,
    error            TEXT,
    created_at       REAL NOT NULL,
    updated_at       REAL NOT NULL,
    run_key          TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    actor            TEXT,
    request_id       TEXT,
    priority         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE INDEX IF NOT EXISTS jobs_tenant_created ON jobs (tenant_id, created_at DESC, job_id DESC);
"""
_COLUMNS: Final = (
    "job_id, tenant_id, kind, function, spec, state, progress, message, attempts, result, error, "
    "created_at, updated_at, run_key, cancel_requested, actor, request_id, priority"
)
_REUSED: Final = ("queued", "running", "succeeded")


@dataclass(frozen=True)
class JobRow:
    """One job: its public status plus what it takes to run it (again)."""

    job_id: str
    tenant_id: str
    kind: str
    function: str  # "package.module:qualname", resolved on the worker
    spec: dict[str, Any]
    state: str
    created_at: float
    updated_at: float
    progress: float = 0.0
    message: str = ""
    attempts: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    run_key: str | None = None  # the Dask key of the current run; older runs' events are stale
    cancel_requested: bool = False
    actor: str | None = None  # who submitted it (the usage ledger's actor)
    request_id: str | None = None  # the request that submitted it (its logs carry it)
    priority: int = 0  # Dask runs higher first among queued jobs

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL_STATES

    def status(self) -> JobStatus:
        return JobStatus(
            job_id=self.job_id,
            kind=self.kind,
            state=self.state,
            progress=self.progress,
            message=self.message,
            attempts=self.attempts,
            error=JobError.of(self.error) if self.error is not None else None,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )

    def but(self, **changes: Any) -> JobRow:
        return replace(self, **changes)


class JobTable(BatchTable):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL under WAL: a power cut may lose the last commits but never corrupts the file;
        # progress rows are rewritten several times a second, so a full fsync each is waste.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.executescript(BATCH_SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Tables written by an earlier release lack the columns the daemon added."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(jobs)")}
        if "run_key" not in columns:
            self._db.execute("ALTER TABLE jobs ADD COLUMN run_key TEXT")
        if "cancel_requested" not in columns:
            self._db.execute("ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0")
        for column in ("actor", "request_id"):
            if column not in columns:
                self._db.execute(f"ALTER TABLE jobs ADD COLUMN {column} TEXT")
        if "priority" not in columns:
            self._db.execute("ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")

    # --- servers ---------------------------------------------------------------------------

    def submit(self, row: JobRow) -> tuple[JobRow, bool]:
        """``row`` queued, or the job already there under its id when it is queued, running or
        succeeded (the same tenant, kind and spec give the same job); True when it is new work."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                found = self._get(row.job_id)
                if found is not None and found.state in _REUSED:
                    self._db.execute("COMMIT")
                    return found, False
                if found is not None:  # failed or cancelled before: the same job runs again
                    row = row.but(created_at=found.created_at, attempts=found.attempts)
                self._write([row])
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return row, True

    def submit_many(self, rows: Iterable[JobRow], batch: BatchRow | None = None) -> list[tuple[JobRow, bool]]:
        """:meth:`submit` of each row, in one transaction; with ``batch``, the rows are its jobs
        (in order) and the batch is recorded in the same transaction (kept if already there)."""
        done = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    found = self._get(row.job_id)
                    if found is not None and found.state in _REUSED:
                        done.append((found, False))
                        continue
                    if found is not None:
                        row = row.but(created_at=found.created_at, attempts=found.attempts)
                    self._write([row])
                    done.append((row, True))
                if batch is not None:
                    self._write_batch(batch)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return done

    def get(self, job_id: str) -> JobRow | None:
        with self._lock:
            return self._get(job_id)

    def versions(self, job_ids: Iterable[str]) -> dict[str, float]:
        """job id -> updated_at of many jobs, in one cheap query (what waiters watch)."""
        ids = list(job_ids)
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT job_id, updated_at FROM jobs WHERE job_id IN ({marks})",  # noqa: S608 - placeholders
                ids,
            ).fetchall()
        return dict(rows)

    def get_many(self, job_ids: Iterable[str]) -> dict[str, JobRow]:
        """Many jobs in one query (what waiters watch)."""
        ids = list(job_ids)
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE job_id IN ({marks})",  # noqa: S608 - placeholders
                ids,
            ).fetchall()
        return {row.job_id: row for row in map(_row, rows)}

    def page(self, tenant_id: str, *, before: tuple[float, str] | None, limit: int) -> list[JobRow]:
        """The tenant's jobs newest first, after the (created_at, job_id) of ``before``."""
        query = f"SELECT {_COLUMNS} FROM jobs WHERE tenant_id = ?"  # noqa: S608 - constants
        args: list[Any] = [tenant_id]
        if before is not None:
            query += " AND (created_at < ? OR (created_at = ? AND job_id < ?))"
            args += [before[0], before[0], before[1]]
        query += " ORDER BY created_at DESC, job_id DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            return [_row(found) for found in self._db.execute(query, args).fetchall()]

    def count_unfinished(self, tenant_id: str) -> int:
        """The tenant's queued and running jobs (the concurrent-jobs quota counts them)."""
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM jobs WHERE tenant_id = ? AND state IN ('queued', 'running')",
                (tenant_id,),
            ).fetchone()
        return int(count)

    def count_by_state(self) -> dict[str, int]:
        """Every job of the data dir by state (the metrics read it at each scrape)."""
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall()
        return {state: int(count) for state, count in rows}

    # --- the daemon ------------------------------------------------------------------------

    def unfinished(self) -> list[JobRow]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE state IN ('queued', 'running') ORDER BY priority DESC, created_at"  # noqa: S608
            ).fetchall()
        return [_row(found) for found in rows]

    def save(self, rows: Iterable[JobRow]) -> None:
        """Write the daemon's view of these jobs; a cancel request made meanwhile is kept."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    requested = self._db.execute(
                        "SELECT cancel_requested FROM jobs WHERE job_id = ?", (row.job_id,)
                    ).fetchone()
                    self._write(
                        [row.but(cancel_requested=row.cancel_requested or bool(requested and requested[0]))]
                    )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def delete_finished_before(self, cutoff: float) -> list[str]:
        """Forget finished jobs last updated before ``cutoff`` (unix seconds); their ids."""
        with self._lock:
            rows = self._db.execute(
                "DELETE FROM jobs WHERE updated_at < ? AND state IN (?, ?, ?) RETURNING job_id",
                (cutoff, *sorted(TERMINAL_STATES)),
            ).fetchall()
            # A batch goes with the last of its jobs.
            self._db.execute(
                "DELETE FROM batches WHERE batch_id NOT IN "
                "(SELECT b.batch_id FROM batch_jobs b JOIN jobs j ON j.job_id = b.job_id)"
            )
            self._db.execute("DELETE FROM batch_jobs WHERE batch_id NOT IN (SELECT batch_id FROM batches)")
        return [row[0] for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- rows ------------------------------------------------------------------------------

    def _get(self, job_id: str) -> JobRow | None:
        found = self._db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)).fetchone()  # noqa: S608
        return _row(found) if found is not None else None

    def _write(self, rows: Iterable[JobRow]) -> None:
        placeholders = ", ".join("?" * len(_COLUMNS.split(", ")))
        self._db.executemany(
            f"INSERT OR REPLACE INTO jobs ({_COLUMNS}) VALUES ({placeholders})",  # noqa: S608 - constants
            [
                (
                    r.job_id,
                    r.tenant_id,
                    r.kind,
                    r.function,
                    canonical_json(r.spec),
                    r.state,
                    r.progress,
                    r.message,
                    r.attempts,
                    None if r.result is None else canonical_json(r.result),
                    None if r.error is None else canonical_json(r.error),
                    r.created_at,
                    r.updated_at,
                    r.run_key,
                    int(r.cancel_requested),
                    r.actor,
                    r.request_id,
                    r.priority,
                )
                for r in rows
            ],
        )


def _row(found: tuple[Any, ...]) -> JobRow:
    (
        job_id,
        tenant,
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
        key,
        cancel,
        actor,
        request_id,
        priority,
    ) = found
    return JobRow(
        job_id=job_id,
        tenant_id=tenant,
        kind=kind,
        function=function,
        spec=json.loads(spec),
        state=state,
        created_at=created,
        updated_at=updated,
        progress=progress,
        message=message,
        attempts=attempts,
        result=None if result is None else json.loads(result),
        error=None if error is None else json.loads(error),
        run_key=key,
        cancel_requested=bool(cancel),
        actor=actor,
        request_id=request_id,
        priority=priority,
    )
