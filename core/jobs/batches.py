"""Batches: many jobs of one job function submitted together, followed and cancelled together.

A batch is a named, ordered list of jobs (``name -> spec``) with one priority. Submitting it is
one table transaction and one poke of the daemon however many jobs it holds (the daemon then
hands them to Dask in one message), so a batch of N short renders pays the submit overhead
once, not N times. The batch is a row of the job table's database beside its jobs, so it
survives a restart exactly as they do. Its id is a hash of the tenant, the kind and its
(name, job) pairs: the same batch submitted twice is one batch, and, as for single jobs, a job
of it that failed or was cancelled runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal

import anyio
from pydantic import BaseModel, ConfigDict, Field

from core.errors import InvalidArguments
from core.jobs.engine import JobEngine, JobFunction, _decode_cursor, _encode_cursor
from core.jobs.errors import JobNotFound
from core.jobs.model import JobState, JobStatus, canonical_json
from core.jobs.table import BatchRow, JobRow
from core.scope import Scope

__all__ = ["BatchJob", "BatchPage", "BatchState", "BatchStatus", "Batches", "batch_id_for"]

MAX_BATCH: Final = 500
_MAX_PAGE: Final = 100
_CANCEL_WAIT_S: Final = 20.0

BatchState = Literal["queued", "running", "succeeded", "partial", "failed", "cancelled"]


class BatchJob(BaseModel):
    """One job of a batch, under the name it was submitted with."""

    model_config = ConfigDict(frozen=True)

    name: str
    status: JobStatus


class BatchStatus(BaseModel):
    """A batch as a caller sees it: every job's state, and the batch's as a whole."""

    model_config = ConfigDict(frozen=True)

    batch_id: str
    kind: str = Field(description="What each job runs, e.g. video_render.render")
    label: str = ""
    priority: int = Field(default=0, description="Higher runs first among queued jobs")
    state: BatchState = Field(
        description="queued (none started), running (some unfinished), or once all ended: succeeded "
        "(all), cancelled (all), failed (none succeeded), partial (some succeeded)"
    )
    progress: float = Field(description="0..1: the mean of the jobs' progress (an ended job counts 1)")
    counts: dict[str, int] = Field(description="Jobs by state")
    jobs: list[BatchJob]
    created_at: float


class BatchPage(BaseModel):
    """A page of the caller's batches, newest first."""

    batches: list[BatchStatus]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last")


def batch_id_for(tenant_id: str, kind: str, names: Sequence[str], job_ids: Sequence[str]) -> str:
    """``batch_`` + 32 hex digits of sha256 over tenant, kind and the (name, job id) pairs."""
    members = canonical_json([[name, job_id] for name, job_id in zip(names, job_ids, strict=True)])
    return "batch_" + hashlib.sha256("\0".join((tenant_id, kind, members)).encode()).hexdigest()[:32]


class Batches:
    """The batch API of one :class:`JobEngine` (``engine.batches``)."""

    def __init__(self, engine: JobEngine) -> None:
        self._engine = engine

    async def submit(
        self,
        scope: Scope,
        fn: JobFunction,
        specs: Sequence[tuple[str, BaseModel]],
        *,
        kind: str | None = None,
        priority: int = 0,
        label: str = "",
        still_valid: Callable[[dict[str, Any]], bool] | None = None,
        actor: str | None = None,
    ) -> BatchStatus:
        """Queue ``fn(ctx, spec)`` for every ``(name, spec)``: one transaction, one poke."""
        names = [name for name, _ in specs]
        if not 1 <= len(names) <= MAX_BATCH:
            raise InvalidArguments(
                f"a batch holds 1 to {MAX_BATCH} jobs",
                value=len(names),
                hint="Split it into several batches.",
            )
        duplicate = next((name for name in names if names.count(name) > 1), None)
        if duplicate is not None:
            raise InvalidArguments("job names in a batch must be unique", value=duplicate)
        engine = self._engine
        rows = [engine._row(scope, fn, spec, kind, actor).but(priority=priority) for _, spec in specs]
        batch = BatchRow(
            batch_id=batch_id_for(scope.tenant_id, rows[0].kind, names, [row.job_id for row in rows]),
            tenant_id=scope.tenant_id,
            kind=rows[0].kind,
            label=label,
            priority=priority,
            created_at=rows[0].created_at,
            names=tuple(names),
            job_ids=tuple(row.job_id for row in rows),
        )
        await engine._submit_rows(rows, still_valid, batch)
        return await self.status(scope, batch.batch_id)

    async def status(self, scope: Scope, batch_id: str) -> BatchStatus:
        batch, rows = await self._find(scope, batch_id)
        return _status(batch, rows)

    async def cancel(self, scope: Scope, batch_id: str, job_id: str | None = None) -> BatchStatus:
        """Stop every unfinished job of the batch (or only ``job_id``, one of its jobs); returns
        once they have stopped (their subprocesses gone), or after a bounded wait."""
        batch, rows = await self._find(scope, batch_id)
        if job_id is not None and job_id not in batch.job_ids:
            raise JobNotFound(f"batch {batch_id} has no job {job_id}", value=job_id)
        targets = [
            row for row in rows.values() if not row.finished and (job_id is None or row.job_id == job_id)
        ]
        if targets:
            engine = self._engine
            table = await engine._opened()
            await anyio.to_thread.run_sync(
                table.request_cancel_many, [row.job_id for row in targets], engine._clock()
            )
            await engine._poke()
            with anyio.move_on_after(_CANCEL_WAIT_S):
                for row in targets:
                    await engine.wait(scope, row.job_id)
        return await self.status(scope, batch_id)

    async def wait(self, scope: Scope, batch_id: str, timeout_s: float | None = None) -> BatchStatus:
        """Follow the batch until every job has ended; after ``timeout_s`` its current status."""
        batch, _ = await self._find(scope, batch_id)
        with anyio.move_on_after(timeout_s if timeout_s is not None else float("inf")):
            for job_id in dict.fromkeys(batch.job_ids):
                await self._engine.wait(scope, job_id)
        return await self.status(scope, batch_id)

    async def results(
        self, scope: Scope, batch_id: str
    ) -> list[tuple[str, JobStatus, dict[str, Any] | None]]:
        """Each job's name, status and result (None unless it succeeded), in batch order."""
        batch, rows = await self._find(scope, batch_id)
        found = []
        for name, job_id in zip(batch.names, batch.job_ids, strict=True):
            row = rows.get(job_id)
            if row is not None:
                found.append((name, row.status(), row.result if row.state == "succeeded" else None))
        return found

    async def list(self, scope: Scope, *, cursor: str | None = None, limit: int = 20) -> BatchPage:
        """The caller's batches, newest first, ``limit`` (1-100) a page."""
        if not 1 <= limit <= _MAX_PAGE:
            raise InvalidArguments(f"limit must be between 1 and {_MAX_PAGE}", value=limit)
        table = await self._engine._opened()
        before = _decode_cursor(cursor)
        ids = await anyio.to_thread.run_sync(
            lambda: table.batch_ids(scope.tenant_id, before=before, limit=limit + 1)
        )
        batches = [await self.status(scope, batch_id) for batch_id in ids[:limit]]
        last = batches[-1] if len(ids) > limit else None
        return BatchPage(
            batches=batches,
            next_cursor=_encode_cursor(last.created_at, last.batch_id) if last is not None else None,
        )

    async def _find(self, scope: Scope, batch_id: str) -> tuple[BatchRow, dict[str, JobRow]]:
        table = await self._engine._opened()
        found = await anyio.to_thread.run_sync(table.batch, batch_id) if _is_batch_id(batch_id) else None
        if found is None or found[0].tenant_id != scope.tenant_id:
            # Another tenant's batch reads exactly like a missing one.
            raise JobNotFound(
                f"no batch {batch_id}", value=batch_id, hint="Pass a batch_id that submit returned."
            )
        return found


def _status(batch: BatchRow, rows: dict[str, JobRow]) -> BatchStatus:
    jobs = [
        BatchJob(name=name, status=rows[job_id].status())
        for name, job_id in zip(batch.names, batch.job_ids, strict=True)
        if job_id in rows
    ]
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.status.state] = counts.get(job.status.state, 0) + 1
    progress = sum(1.0 if job.status.finished else job.status.progress for job in jobs) / max(1, len(jobs))
    return BatchStatus(
        batch_id=batch.batch_id,
        kind=batch.kind,
        label=batch.label,
        priority=batch.priority,
        state=_state(counts),
        progress=round(progress, 4),
        counts=dict(sorted(counts.items())),
        jobs=jobs,
        created_at=batch.created_at,
    )


def _state(counts: dict[str, int]) -> BatchState:
    states: set[JobState] = set(counts)  # type: ignore[arg-type]
    if states <= {"queued"}:
        return "queued"
    if states & {"queued", "running"}:
        return "running"
    if states == {"succeeded"}:
        return "succeeded"
    if states == {"cancelled"}:
        return "cancelled"
    return "partial" if "succeeded" in states else "failed"


def _is_batch_id(text: str) -> bool:
    return len(text) == 38 and text.startswith("batch_") and all(c in "0123456789abcdef" for c in text[6:])
