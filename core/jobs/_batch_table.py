"""The batch half of the job table: batches (a name per job, in order, one priority) kept in
the same SQLite database as their jobs, so a batch survives a restart exactly as they do.
:class:`core.jobs.table.JobTable` inherits these methods; they share its connection and lock."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.jobs.table import JobRow

__all__ = ["BATCH_SCHEMA", "BatchRow", "BatchTable"]

BATCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id   TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    priority   INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_jobs (
    batch_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    job_id   TEXT NOT NULL,
    PRIMARY KEY (batch_id, position)
);
CREATE INDEX IF NOT EXISTS batches_tenant_created ON batches (tenant_id, created_at DESC);
"""


@dataclass(frozen=True)
class BatchRow:
    """A batch: jobs submitted together, by name, in the order they were given."""

    batch_id: str
    tenant_id: str
    kind: str
    label: str
    priority: int
    created_at: float
    names: tuple[str, ...]
    job_ids: tuple[str, ...]


class BatchTable:
    """Batch rows over the job table's connection (``_db``, ``_lock``, ``_get``)."""

    _db: sqlite3.Connection
    _lock: threading.Lock

    def _get(self, job_id: str) -> JobRow | None:
        raise NotImplementedError

    def batch(self, batch_id: str) -> tuple[BatchRow, dict[str, JobRow]] | None:
        """A batch and its jobs by id (a job forgotten by the retention sweep is left out)."""
        with self._lock:
            found = self._db.execute(
                "SELECT batch_id, tenant_id, kind, label, priority, created_at FROM batches WHERE batch_id = ?",
                (batch_id,),
            ).fetchone()
            if found is None:
                return None
            members = self._db.execute(
                "SELECT name, job_id FROM batch_jobs WHERE batch_id = ? ORDER BY position", (batch_id,)
            ).fetchall()
            rows = {job_id: self._get(job_id) for _, job_id in members}
        batch_id, tenant_id, kind, label, priority, created_at = found
        batch = BatchRow(
            batch_id=batch_id,
            tenant_id=tenant_id,
            kind=kind,
            label=label,
            priority=priority,
            created_at=created_at,
            names=tuple(name for name, _ in members),
            job_ids=tuple(job_id for _, job_id in members),
        )
        return batch, {job_id: row for job_id, row in rows.items() if row is not None}

    def batch_ids(self, tenant_id: str, *, before: tuple[float, str] | None, limit: int) -> list[str]:
        """The tenant's batch ids newest first, after the (created_at, batch_id) of ``before``."""
        query = "SELECT batch_id FROM batches WHERE tenant_id = ?"
        args: list[Any] = [tenant_id]
        if before is not None:
            query += " AND (created_at < ? OR (created_at = ? AND batch_id < ?))"
            args += [before[0], before[0], before[1]]
        query += " ORDER BY created_at DESC, batch_id DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            return [row[0] for row in self._db.execute(query, args).fetchall()]

    def request_cancel_many(self, job_ids: Iterable[str], now: float) -> None:
        """:meth:`request_cancel` of many jobs in one transaction."""
        with self._lock:
            self._db.executemany(
                "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE job_id = ? AND state IN ('queued', 'running')",
                [(now, job_id) for job_id in job_ids],
            )

    def request_cancel(self, job_id: str, now: float) -> JobRow | None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE job_id = ? AND state IN ('queued', 'running')",
                (now, job_id),
            )
            return self._get(job_id)

    def _write_batch(self, batch: BatchRow) -> None:
        inserted = self._db.execute(
            "INSERT OR IGNORE INTO batches (batch_id, tenant_id, kind, label, priority, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (batch.batch_id, batch.tenant_id, batch.kind, batch.label, batch.priority, batch.created_at),
        ).rowcount
        if inserted:  # the same batch again (same id: same jobs, same names) keeps its first record
            self._db.executemany(
                "INSERT INTO batch_jobs (batch_id, position, name, job_id) VALUES (?, ?, ?, ?)",
                [
                    (batch.batch_id, i, n, j)
                    for i, (n, j) in enumerate(zip(batch.names, batch.job_ids, strict=True))
                ],
            )
