"""The job engine: submit work to Dask, follow it, cancel it, and keep the job table.

One engine per server process (a muscle makes it in ``startup()``, closes it in
``shutdown()``). It owns one Dask client, on an embedded LocalCluster or on the scheduler at
``ATOMS_DASK_ADDRESS``, and an in-memory view of the job table that it writes through to
SQLite from a worker thread, so the event loop never waits on the disk.

Flow of one run: ``submit`` writes the job as queued and hands :func:`core.jobs._worker.execute`
to Dask under a fresh key (the run key). The worker announces ``started`` and ``progress``
through Dask's event log (topic :data:`~core.jobs._worker.TOPIC`), which lands in
:meth:`JobEngine._on_event`; the task's return value says how the run ended. Events and
results that carry another run's key are stale and ignored. Cancelling sets a Dask ``Event``
named after the run key, which the job polls; a job still queued is also dropped from Dask.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Any, Final, Self

import anyio
from pydantic import JsonValue, TypeAdapter, ValidationError

from core.errors import InvalidArguments
from core.identifiers import validate_identifier
from core.jobs._cluster import DaskConnection, connect
from core.jobs._worker import TOPIC, Invocation, cancel_event_name, execute
from core.jobs.errors import JobCancelled, JobFailed, JobNotFinished, JobNotFound
from core.jobs.model import JobStatus, canonical_json, job_id_for
from core.jobs.table import JobRecord, JobTable
from core.progress import Progress
from core.settings import Settings

__all__ = ["JobEngine"]

logger = logging.getLogger(__name__)

CANCEL_WAIT_S: Final = 15.0  # how long cancel() waits for a running job to stop by itself
PROGRESS_FLUSH_S: Final = 0.5  # worker events reach the table in batches at most this late
_SPEC = TypeAdapter(dict[str, JsonValue])
_REUSED_STATES: Final = frozenset({"queued", "running", "succeeded"})
_REPORTED_STATES: Final = frozenset({"running", "succeeded"})  # what wait() forwards to a Progress

Outcome = dict[str, Any]


class JobEngine:
    def __init__(
        self, settings: Settings, *, clock: Callable[[], float] = time.time, processes: bool = True
    ) -> None:
        """``processes=False`` runs an embedded cluster's workers as threads (fast start, no
        isolation: for tests that kill no worker)."""
        self._settings = settings
        self._clock = clock
        self._processes = processes
        self._conn: DaskConnection | None = None
        self._table: JobTable | None = None
        self._records: dict[str, JobRecord] = {}
        self._futures: dict[str, Any] = {}  # job id -> the distributed.Future of its run
        self._changed: dict[str, asyncio.Event] = {}
        self._followers: set[asyncio.Task[None]] = set()
        self._db_lock = asyncio.Lock()
        self._unsaved: dict[str, JobRecord] = {}  # changed by worker events, not yet in the table
        self._flusher: asyncio.Task[None] | None = None
        self._cancels_sent: set[str] = set()  # run keys whose cancel flag is set
        self._sweeper: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Open the job table, connect to Dask, and resubmit jobs left queued or running."""
        self._table = await anyio.to_thread.run_sync(JobTable, self._settings.jobs_db_path)
        await self.sweep()
        records = await anyio.to_thread.run_sync(self._table.load_all)
        self._records = {record.job_id: record for record in records}
        self._conn = await connect(self._settings, processes=self._processes)
        self._conn.client.subscribe_topic(TOPIC, self._on_event)
        for record in records:
            if not record.status.finished:
                logger.info(
                    "resubmitting job %s (%s) left %s", record.job_id, record.status.kind, record.status.state
                )
                await self._launch(
                    record.with_status(state="queued", progress=0.0, message="resubmitted after a restart")
                )
        self._sweeper = asyncio.create_task(self._sweep_every(self._settings.sweep_interval_s))

    async def close(self) -> None:
        """Disconnect; unfinished jobs stay in the table for the next start to resubmit."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        for task in self._followers:
            task.cancel()
        await asyncio.gather(*self._followers, return_exceptions=True)
        if self._conn is not None:
            self._conn.client.unsubscribe_topic(TOPIC)
            await self._conn.close()
            self._conn = None
        if self._flusher is not None:
            self._flusher.cancel()
        await self._flush()
        if self._table is not None:
            async with self._db_lock:
                await anyio.to_thread.run_sync(self._table.close)
            self._table = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # --- the API -----------------------------------------------------------------------

    async def submit(self, tenant_id: str, kind: str, function: str, spec: dict[str, JsonValue]) -> JobStatus:
        """Queue ``function(ctx, spec)``; returns at once. The same tenant, kind and spec give
        the same job: while it is queued, running or succeeded, that job is returned as it is;
        after it failed or was cancelled, it runs again under the same id."""
        validate_identifier(tenant_id, "tenant_id")
        validate_identifier(kind, "kind")
        _check_function_name(function)
        checked = _checked_spec(spec)
        job_id = job_id_for(tenant_id, kind, checked)
        existing = self._records.get(job_id)
        if existing is not None and existing.status.state in _REUSED_STATES:
            return existing.status
        now = self._clock()
        status = JobStatus(
            job_id=job_id, kind=kind, state="queued", message="queued", created_at=now, updated_at=now
        )
        await self._launch(JobRecord(tenant_id=tenant_id, function=function, spec=checked, status=status))
        return self._records[job_id].status

    async def status(self, tenant_id: str, job_id: str) -> JobStatus:
        return self._record(tenant_id, job_id).status

    async def result(self, tenant_id: str, job_id: str) -> JobStatus:
        """The finished job (with ``result``, or ``error`` when it failed or was cancelled)."""
        status = self._record(tenant_id, job_id).status
        if not status.finished:
            raise JobNotFinished(f"job {job_id} is {status.state}", value=job_id)
        return status

    async def cancel(self, tenant_id: str, job_id: str) -> JobStatus:
        """Stop the job. Returns once it has stopped (its subprocesses gone), or after
        :data:`CANCEL_WAIT_S` if it ignores its cancel flag (then it is abandoned to Dask)."""
        record = self._record(tenant_id, job_id)
        if record.status.finished or record.run_key is None:
            return record.status
        key = record.run_key
        self._cancels_sent.add(key)
        await self._client.scheduler.event_set(name=cancel_event_name(key))
        future = self._futures.get(job_id)
        if record.status.state == "queued" and future is not None:
            # Not started: drop it from Dask. Had it started a moment ago, it sees the flag
            # at its first poll and stops by itself.
            await _maybe_await(future.cancel())
            await self._finish(job_id, key, {"outcome": "cancelled"})
        elif not await self._wait_finished(job_id, CANCEL_WAIT_S):
            logger.warning("job %s ignored its cancel flag for %.0f s; abandoning it", job_id, CANCEL_WAIT_S)
            if future is not None:
                await _maybe_await(future.cancel())
            await self._finish(job_id, key, {"outcome": "cancelled"})
        return self._record(tenant_id, job_id).status

    async def wait(
        self, tenant_id: str, job_id: str, progress: Progress | None = None, timeout_s: float | None = None
    ) -> JobStatus:
        """Wait until the job finishes, forwarding its progress to ``progress``. After
        ``timeout_s`` the current (unfinished) status is returned."""
        deadline = None if timeout_s is None else anyio.current_time() + timeout_s
        forwarded: tuple[float, str] | None = None
        while True:
            changed = self._changed.setdefault(job_id, asyncio.Event())
            status = self._record(tenant_id, job_id).status
            if (
                progress is not None
                and status.state in _REPORTED_STATES
                and forwarded != (status.progress, status.message)
            ):
                forwarded = (status.progress, status.message)
                await progress.report(status.progress, status.message or None)
            if status.finished:
                return status
            remaining = None if deadline is None else deadline - anyio.current_time()
            if remaining is not None and remaining <= 0:
                return status
            with anyio.move_on_after(remaining):
                await changed.wait()

    async def run(
        self,
        tenant_id: str,
        kind: str,
        function: str,
        spec: dict[str, JsonValue],
        progress: Progress | None = None,
    ) -> JobStatus:
        """Submit and wait. If the caller is cancelled meanwhile, the job is cancelled too."""
        status = await self.submit(tenant_id, kind, function, spec)
        try:
            return await self.wait(tenant_id, status.job_id, progress)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await self.cancel(tenant_id, status.job_id)
            raise

    async def sweep(self) -> list[str]:
        """Forget jobs that finished more than ``ATOMS_JOB_RETENTION_S`` ago; their ids."""
        if self._table is None:
            return []
        cutoff = self._clock() - self._settings.job_retention_s
        async with self._db_lock:
            forgotten = await anyio.to_thread.run_sync(self._table.delete_finished_before, cutoff)
        for job_id in forgotten:
            self._records.pop(job_id, None)
            self._changed.pop(job_id, None)
        if forgotten:
            logger.info("forgot %d jobs finished before the retention period", len(forgotten))
        return forgotten

    # --- internals ---------------------------------------------------------------------

    async def _sweep_every(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            await self.sweep()

    @property
    def _client(self) -> Any:
        if self._conn is None:
            raise RuntimeError("JobEngine used before start() or after close()")
        return self._conn.client

    def _record(self, tenant_id: str, job_id: str) -> JobRecord:
        record = self._records.get(job_id)
        if record is None or record.tenant_id != tenant_id:
            # Another tenant's job reads exactly like a missing one.
            raise JobNotFound(f"no job {job_id}", value=job_id)
        return record

    async def _launch(self, record: JobRecord) -> None:
        key = f"{record.job_id}-{uuid.uuid4().hex[:12]}"
        assert self._conn is not None
        invocation = Invocation(
            job_id=record.job_id,
            tenant_id=record.tenant_id,
            run_key=key,
            function=record.function,
            spec=record.spec,
            settings=self._settings if self._conn.embedded else None,
        )
        # Recorded before Dask has it, so the run's first event already finds its key.
        await self._store(replace(record, run_key=key))
        future = self._client.submit(execute, invocation, key=key, pure=False)
        self._futures[record.job_id] = future
        follower = asyncio.create_task(self._follow(record.job_id, key, future))
        self._followers.add(follower)
        follower.add_done_callback(self._followers.discard)

    async def _follow(self, job_id: str, key: str, future: Any) -> None:
        try:
            outcome: Outcome = await future
        except concurrent.futures.CancelledError:
            outcome = {"outcome": "cancelled"}
        except Exception as exc:  # Dask gave up on the run (KilledWorker after repeated deaths, ...)
            logger.exception("job %s: Dask gave up on run %s", job_id, key)
            error = JobFailed(
                f"the job's worker failed: {type(exc).__name__}",
                value=job_id,
                hint="The worker died while running it (out of memory, or a crash); see the worker logs.",
            )
            outcome = {"outcome": "failed", "error": error.to_dict()}
        else:
            if key in self._cancels_sent:
                # The run has ended, so nobody polls its flag any more, and the scheduler keeps
                # a set event until it is cleared. (A run dropped while queued keeps its flag:
                # had it just started, the flag is what stops it.)
                self._cancels_sent.discard(key)
                with contextlib.suppress(OSError):
                    await self._client.scheduler.event_clear(name=cancel_event_name(key))
        await self._finish(job_id, key, outcome)

    async def _finish(self, job_id: str, key: str, outcome: Outcome) -> None:
        record = self._records.get(job_id)
        if record is None or record.run_key != key or record.status.finished:
            return
        state = outcome["outcome"]
        now = self._clock()
        if state == "succeeded":
            attempts = max(1, record.status.attempts)
            record = record.with_status(
                state=state,
                progress=1.0,
                message="done",
                result=outcome["result"],
                attempts=attempts,
                updated_at=now,
            )
        elif state == "failed":
            error = outcome["error"]
            attempts = max(1, record.status.attempts)
            record = record.with_status(
                state=state,
                message=str(error.get("message", "")),
                error=error,
                attempts=attempts,
                updated_at=now,
            )
        else:
            error = JobCancelled(f"job {job_id} was cancelled", value=job_id).to_dict()
            record = record.with_status(state="cancelled", message="cancelled", error=error, updated_at=now)
        self._futures.pop(job_id, None)
        await self._store(record)

    async def _on_event(self, event: tuple[float, dict[str, Any]]) -> None:
        """A ``started`` or ``progress`` event from a worker (see :mod:`core.jobs._worker`)."""
        _, message = event
        record = self._records.get(message.get("job_id", ""))
        if record is None or record.run_key != message.get("run") or record.status.finished:
            return
        now = self._clock()
        if message.get("type") == "started":
            attempts = record.status.attempts + 1
            record = record.with_status(
                state="running",
                attempts=attempts,
                progress=0.0,
                message=f"started (attempt {attempts})",
                updated_at=now,
            )
        else:
            fraction = min(1.0, max(0.0, float(message.get("fraction", 0.0))))
            record = record.with_status(
                state="running", progress=fraction, message=str(message.get("message", "")), updated_at=now
            )
        self._store_soon(record)

    def _make_current(self, record: JobRecord) -> None:
        self._records[record.job_id] = record
        changed = self._changed.pop(record.job_id, None)
        if changed is not None:
            changed.set()

    async def _store(self, record: JobRecord) -> None:
        """Make ``record`` current, wake its waiters, and write it to the table now."""
        self._make_current(record)
        self._unsaved.pop(record.job_id, None)
        await self._save([record])

    def _store_soon(self, record: JobRecord) -> None:
        """Like :meth:`_store`, but the write joins a batch: progress changes many times a second."""
        self._make_current(record)
        self._unsaved[record.job_id] = record
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(PROGRESS_FLUSH_S)
        await self._flush()

    async def _flush(self) -> None:
        batch, self._unsaved = list(self._unsaved.values()), {}
        if batch:
            await self._save(batch)

    async def _save(self, records: list[JobRecord]) -> None:
        table = self._table
        if table is None:
            return
        async with self._db_lock:  # FIFO: rows reach the disk in the order they changed
            await anyio.to_thread.run_sync(table.save, records)

    async def _wait_finished(self, job_id: str, timeout_s: float) -> bool:
        with anyio.move_on_after(timeout_s):
            while not self._records[job_id].status.finished:
                await self._changed.setdefault(job_id, asyncio.Event()).wait()
            return True
        return False


def _check_function_name(function: str) -> None:
    module_name, sep, attr = function.partition(":")
    if not sep or not module_name or not attr.isidentifier():
        raise InvalidArguments(
            "a job function is named 'package.module:function'",
            value=function,
            hint="Name a top-level function of a module the Dask workers can import.",
        )


def _checked_spec(spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    try:
        checked = _SPEC.validate_python(spec)
        canonical_json(checked)
    except (ValidationError, ValueError) as exc:
        raise InvalidArguments(
            "a job spec must be a JSON object (no NaN or infinity)",
            value=type(spec).__name__,
            hint="Pass a dict of str, int, float, bool, None, lists and dicts.",
        ) from exc
    return checked


async def _maybe_await(value: object) -> None:
    # An asynchronous Dask client returns awaitables from calls that are blocking elsewhere.
    if inspect.isawaitable(value):
        await value
