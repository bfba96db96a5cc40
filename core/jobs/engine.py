"""The job engine a server uses: submit, follow, cancel and list jobs; the daemon runs them.

Every process on a data dir (a long HTTP server, each one-shot ``muscle call``) shares one
job table and one job daemon (:mod:`core.jobs.daemon`). ``submit`` writes the job into the
table and pokes the daemon (starting it, detached, when none runs: the first submit pays its
start-up once, every later process connects to it); ``status``, ``result`` and ``list`` only
read the table, so they need no daemon and no Dask at all. ``wait`` follows the table.

A job function is referenced as a function (``fn(ctx, spec) -> result`` with pydantic models
for spec and result); a job's id is a hash of the tenant, the kind and the canonical spec, so
the same work submitted twice is one job. ``processes=False`` runs the daemon inside this
process with thread workers (tests that need no process isolation).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import anyio
from pydantic import BaseModel, SecretStr, ValidationError

from core.errors import ConfigError, InvalidArguments, error_from_dict
from core.identifiers import validate_identifier
from core.jobs._daemon_files import DaemonAddress, DaemonFiles
from core.jobs._worker import function_ref, spec_type
from core.jobs.errors import JobNotFinished, JobNotFound
from core.jobs.model import JobPage, JobStatus, canonical_json, job_id_for
from core.jobs.table import BatchRow, JobRow, JobTable
from core.observability.requests import current_request_id
from core.progress import Progress
from core.scope import Scope
from core.settings import Settings

if TYPE_CHECKING:
    from core.jobs.batches import Batches

__all__ = ["JobEngine"]

logger = logging.getLogger(__name__)

_POLL_S: Final = 0.1  # how often wait() reads the table
_DAEMON_CHECK_S: Final = 2.0  # how often a long wait() makes sure a daemon runs the job
_DAEMON_START_S: Final = 90.0  # the longest a first submit waits for a daemon to come up
_CANCEL_WAIT_S: Final = 20.0
_MAX_PAGE: Final = 100

JobFunction = Callable[[Any, Any], BaseModel]


class JobEngine:
    def __init__(
        self, settings: Settings, *, clock: Callable[[], float] = time.time, processes: bool = True
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._processes = processes
        self._files = DaemonFiles(settings.data_dir)
        self._table: JobTable | None = None
        self._in_process: Any = None  # the JobDaemon this process hosts (processes=False)
        self._in_process_task: asyncio.Task[None] | None = None
        # Jobs someone waits on -> the event their next change sets; one poller reads the
        # table for all of them at once, so a thousand waits cost one query a tick.
        self._watched: dict[str, _Watch] = {}
        self._poller: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Open the job table (cheap: no daemon is needed to read it)."""
        if self._table is None:
            self._table = await anyio.to_thread.run_sync(JobTable, self._settings.jobs_db_path)

    async def close(self) -> None:
        """Close the table; the daemon goes on (it stops by itself when idle)."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._in_process is not None:
            self._in_process.stop()
            if self._in_process_task is not None:
                await self._in_process_task
            self._in_process = None
        if self._table is not None:
            await anyio.to_thread.run_sync(self._table.close)
            self._table = None

    async def __aenter__(self) -> JobEngine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def stop_daemon(self) -> None:
        """Stop the data dir's daemon now (tests, and operators through ``muscle jobs stop``);
        unfinished jobs stay in the table for the next daemon."""
        found = self._files.read()
        if found is not None and await _send(found, "stop"):
            with anyio.move_on_after(_CANCEL_WAIT_S):
                while _alive(found.pid):  # noqa: ASYNC110 - another process tree: nothing to wait on but its pid
                    await anyio.sleep(0.05)

    # --- the API -----------------------------------------------------------------------

    async def submit(
        self,
        scope: Scope,
        fn: JobFunction,
        spec: BaseModel,
        *,
        kind: str | None = None,
        still_valid: Callable[[dict[str, Any]], bool] | None = None,
        actor: str | None = None,
    ) -> JobStatus:
        """Queue ``fn(ctx, spec)``; returns at once. The same tenant, kind and spec give the
        same job: while it is queued, running or succeeded that job is returned as it is
        (unless ``still_valid(result)`` says a succeeded job's result is gone: then it runs
        again), and after it failed or was cancelled it runs again under the same id."""
        [status] = await self.submit_many(
            scope, [(fn, spec)], kind=kind, still_valid=still_valid, actor=actor
        )
        return status

    async def submit_many(
        self,
        scope: Scope,
        jobs: Sequence[tuple[JobFunction, BaseModel]],
        *,
        kind: str | None = None,
        still_valid: Callable[[dict[str, Any]], bool] | None = None,
        actor: str | None = None,
    ) -> list[JobStatus]:
        """:meth:`submit` of many jobs in one table transaction and one poke of the daemon;
        each row records ``actor`` and the current request id (the ledger and the logs use them)."""
        rows = [self._row(scope, fn, spec, kind, actor) for fn, spec in jobs]
        return [row.status() for row in await self._submit_rows(rows, still_valid)]

    async def _submit_rows(
        self,
        rows: list[JobRow],
        still_valid: Callable[[dict[str, Any]], bool] | None,
        batch: BatchRow | None = None,
    ) -> list[JobRow]:
        """Write ``rows`` (and ``batch``) in one transaction, poke the daemon once; the rows
        as they now stand (a reused job as it was)."""
        table = await self._opened()
        done = await anyio.to_thread.run_sync(table.submit_many, rows, batch)
        reused = [row for row, new in done if not new and row.state == "succeeded"]
        redo = []
        if reused and still_valid is not None:
            check = still_valid  # storage lookups: off the event loop
            redo = await anyio.to_thread.run_sync(lambda: [r for r in reused if not check(r.result or {})])
        if redo:
            fresh = {row.job_id: row for row in rows}
            again = [fresh[row.job_id].but(created_at=row.created_at, attempts=row.attempts) for row in redo]
            await anyio.to_thread.run_sync(table.save, again)
            replaced = {row.job_id: row for row in again}
            done = [(replaced.get(row.job_id, row), new or row.job_id in replaced) for row, new in done]
        if any(new for _, new in done):
            await self._poke()
        return [row for row, _ in done]

    @property
    def batches(self) -> Batches:
        """Many jobs as one batch: submitted in one round trip, followed and cancelled together."""
        from core.jobs.batches import Batches  # it builds on this module

        return Batches(self)

    async def status(self, scope: Scope, job_id: str) -> JobStatus:
        return (await self._find(scope, job_id)).status()

    async def result(self, scope: Scope, job_id: str) -> dict[str, Any]:
        """A succeeded job's result (JSON); a failed or cancelled job raises its own error."""
        row = await self._find(scope, job_id)
        if not row.finished:
            raise JobNotFinished(f"job {job_id} is {row.state}", value=job_id)
        if row.state != "succeeded" or row.result is None:
            raise error_from_dict(row.error or {"code": "job_failed", "message": f"job {job_id} failed"})
        return row.result

    async def cancel(self, scope: Scope, job_id: str) -> JobStatus:
        """Stop the job: returns once it has stopped (its subprocesses gone), or its current
        status after a bounded wait if it takes longer."""
        status = await self.request_cancel(scope, job_id)
        if status.finished:
            return status
        return await self.wait(scope, job_id, timeout_s=_CANCEL_WAIT_S)

    async def request_cancel(self, scope: Scope, job_id: str) -> JobStatus:
        """Ask the daemon to stop the job and return at once (the status as it is now); a
        finished job is left as it is."""
        row = await self._find(scope, job_id)
        if row.finished:
            return row.status()
        table = await self._opened()
        await anyio.to_thread.run_sync(table.request_cancel, job_id, self._clock())
        await self._poke()
        return row.status()

    async def wait(
        self, scope: Scope, job_id: str, progress: Progress | None = None, timeout_s: float | None = None
    ) -> JobStatus:
        """Follow the job until it finishes, forwarding its progress; after ``timeout_s`` the
        current (unfinished) status is returned."""
        deadline = None if timeout_s is None else anyio.current_time() + timeout_s
        forwarded: tuple[float, str] | None = None
        checked = anyio.current_time()
        status = await self.status(scope, job_id)
        while True:
            if not status.finished and anyio.current_time() - checked > _DAEMON_CHECK_S:
                # A daemon that died (killed, the machine restarted) is started again, and it
                # takes up what its predecessor left unfinished.
                checked = anyio.current_time()
                await self._poke()
            if (
                progress is not None
                and status.state in ("running", "succeeded")
                and forwarded != (status.progress, status.message)
            ):
                forwarded = (status.progress, status.message)
                await progress.report(status.progress, status.message or None)
            if status.finished or (deadline is not None and anyio.current_time() >= deadline):
                return status
            wait_s = (
                _DAEMON_CHECK_S if deadline is None else min(_DAEMON_CHECK_S, deadline - anyio.current_time())
            )
            status = await self._changed(job_id, status, max(wait_s, 0.0))

    async def run(
        self, scope: Scope, fn: JobFunction, spec: BaseModel, progress: Progress | None = None
    ) -> JobStatus:
        """Submit and wait. If the caller is cancelled meanwhile, the job is cancelled too."""
        status = await self.submit(scope, fn, spec)
        try:
            return await self.wait(scope, status.job_id, progress)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await self.cancel(scope, status.job_id)
            raise

    async def list_jobs(self, scope: Scope, *, cursor: str | None = None, limit: int = 20) -> JobPage:
        """The caller's jobs, newest first, ``limit`` (1-100) a page."""
        if not 1 <= limit <= _MAX_PAGE:
            raise InvalidArguments(f"limit must be between 1 and {_MAX_PAGE}", value=limit)
        table = await self._opened()
        rows = await anyio.to_thread.run_sync(
            lambda: table.page(scope.tenant_id, before=_decode_cursor(cursor), limit=limit + 1)
        )
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if more and rows else None
        return JobPage(
            jobs=[row.status() for row in rows],
            next_cursor=_encode_cursor(last.created_at, last.job_id) if last is not None else None,
        )

    async def sweep(self) -> list[str]:
        """Forget jobs that finished more than ``ATOMS_JOB_RETENTION_S`` ago; their ids."""
        table = await self._opened()
        cutoff = self._clock() - self._settings.job_retention_s
        forgotten = await anyio.to_thread.run_sync(table.delete_finished_before, cutoff)
        if forgotten:
            logger.info("forgot %d jobs finished before the retention period", len(forgotten))
        return forgotten

    # --- internals ---------------------------------------------------------------------

    async def _changed(self, job_id: str, seen: JobStatus, timeout_s: float) -> JobStatus:
        """The job's status once it changes from ``seen`` (or ``seen`` after ``timeout_s``)."""
        watch = self._watched.get(job_id)
        if watch is None:
            watch = self._watched[job_id] = _Watch(seen.updated_at)
        watch.waiters += 1
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll())
        try:
            with anyio.move_on_after(timeout_s):
                await watch.changed.wait()
        finally:
            watch.waiters -= 1
            if watch.waiters == 0 and self._watched.get(job_id) is watch:
                del self._watched[job_id]
        return watch.latest.status() if watch.latest is not None else seen

    async def _poll(self) -> None:
        """One query a tick for every watched job; a changed one wakes its waiters."""
        table = await self._opened()
        while self._watched:
            await anyio.sleep(_POLL_S)
            watched = dict(self._watched)
            versions = await anyio.to_thread.run_sync(table.versions, list(watched))
            changed = [
                job_id for job_id, watch in watched.items() if versions.get(job_id, watch.seen) != watch.seen
            ]
            rows = await anyio.to_thread.run_sync(table.get_many, changed) if changed else {}
            for job_id, watch in watched.items():
                row = rows.get(job_id)
                if row is not None and row.updated_at != watch.seen:
                    watch.latest = row
                    watch.changed.set()
                    if self._watched.get(job_id) is watch:
                        del self._watched[job_id]  # its waiters have their row; a next wait re-watches

    async def _opened(self) -> JobTable:
        await self.start()
        assert self._table is not None
        return self._table

    async def _find(self, scope: Scope, job_id: str) -> JobRow:
        table = await self._opened()
        row = await anyio.to_thread.run_sync(table.get, job_id) if _is_job_id(job_id) else None
        if row is None or row.tenant_id != scope.tenant_id:
            # Another tenant's job reads exactly like a missing one.
            raise JobNotFound(f"no job {job_id}", value=job_id)
        return row

    async def unfinished(self, tenant_id: str) -> int:
        """How many of the tenant's jobs are queued or running."""
        table = await self._opened()
        return await anyio.to_thread.run_sync(table.count_unfinished, tenant_id)

    def _row(
        self, scope: Scope, fn: JobFunction, spec: BaseModel, kind: str | None, actor: str | None
    ) -> JobRow:
        ref = function_ref(fn)
        if not isinstance(spec, spec_type(fn)):
            raise InvalidArguments(
                f"job function {ref} takes a {spec_type(fn).__name__} spec",
                value=type(spec).__name__,
            )
        try:
            payload = spec.model_dump(mode="json")
            canonical_json(payload)
        except (ValidationError, ValueError) as exc:
            raise InvalidArguments(
                "a job spec must be JSON (no NaN or infinity)", value=type(spec).__name__
            ) from exc
        kind = validate_identifier(kind or f"{fn.__module__}.{fn.__qualname__}", "kind")
        now = self._clock()
        return JobRow(
            job_id=job_id_for(scope.tenant_id, kind, payload),
            tenant_id=scope.tenant_id,
            kind=kind,
            function=ref,
            spec=payload,
            state="queued",
            message="queued",
            created_at=now,
            updated_at=now,
            actor=actor,
            request_id=current_request_id(),
        )

    async def _poke(self) -> None:
        """Tell the daemon to look at the table, starting it first when none runs."""
        if not self._processes:
            await self._host_daemon()
            self._in_process.wake()
            return
        found = self._files.read()
        if found is not None and await _send(found, "poke"):
            return
        found = await anyio.to_thread.run_sync(self._start_daemon)
        if not await _send(found, "poke"):
            raise ConfigError(
                "the job daemon started but does not answer", hint=f"See {self._files.log_file}."
            )

    async def _host_daemon(self) -> None:
        if self._in_process is None:
            from core.jobs.daemon import JobDaemon  # Dask only where the daemon runs

            ready = asyncio.Event()
            self._in_process = JobDaemon(self._settings, processes=False, clock=self._clock)
            self._in_process_task = asyncio.create_task(self._in_process.serve(lambda _: ready.set()))
            waiter = asyncio.create_task(ready.wait())
            await asyncio.wait({waiter, self._in_process_task}, return_when=asyncio.FIRST_COMPLETED)
            if not ready.is_set():
                waiter.cancel()
                failed, self._in_process, self._in_process_task = self._in_process_task, None, None
                await failed  # raises what kept it from starting

    def _start_daemon(self) -> DaemonAddress:
        """Start the data dir's daemon (detached, so it outlives this process) unless another
        process just did; blocking (run on a worker thread)."""
        with self._files.starting():
            found = self._files.read()
            if found is not None and _answers(found):
                return found
            log = self._files.log_file.open("ab")
            try:
                process = subprocess.Popen(
                    [sys.executable, "-m", "core.jobs.daemon"],
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,  # not in this process's group: it must outlive us
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            finally:
                log.close()
            assert process.stdin is not None
            self._files.take_failure()  # an earlier start's, not this one's
            process.stdin.write(canonical_json(_settings_payload(self._settings)).encode())
            process.stdin.close()
            deadline = time.monotonic() + _DAEMON_START_S
            while time.monotonic() < deadline:
                found = self._files.read()
                if found is not None and found.pid == process.pid and _answers(found):
                    logger.info(
                        "started the job daemon (pid %d) for %s", process.pid, self._settings.data_dir
                    )
                    return found
                if process.poll() is not None:
                    break
                time.sleep(0.05)
        failure = self._files.take_failure()
        if failure is not None:
            raise error_from_dict(failure)
        raise ConfigError(
            "the job daemon did not start",
            value=str(self._files.log_file.name),
            hint=f"Read {self._files.log_file}; with ATOMS_DASK_ADDRESS set, check the scheduler is up.",
        )


class _Watch:
    """What waiters on one job share: the last version seen, and the event its change sets."""

    def __init__(self, seen: float) -> None:
        self.seen = seen
        self.changed = asyncio.Event()
        self.latest: JobRow | None = None
        self.waiters = 0


def _settings_payload(settings: Settings) -> dict[str, Any]:
    """The settings as init arguments, secrets revealed (they travel on a pipe, never on disk)."""

    def reveal(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        if isinstance(value, BaseModel):  # a token grant, a tenant's quotas
            return reveal(dict(value))
        if isinstance(value, dict):
            return {key: reveal(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [reveal(item) for item in value]
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        return value

    return {name: reveal(getattr(settings, name)) for name in type(settings).model_fields}


async def _send(address: DaemonAddress, command: str) -> bool:
    with contextlib.suppress(OSError, TimeoutError, ConnectionError):
        with anyio.fail_after(5):
            stream = await anyio.connect_tcp("127.0.0.1", address.port)
            async with stream:
                await stream.send(f"{command} {address.token}\n".encode())
                return (await stream.receive(64)).startswith(b"ok")
    return False


def _answers(address: DaemonAddress) -> bool:
    return anyio.run(_send, address, "ping")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie (not yet reaped) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _is_job_id(text: str) -> bool:
    return len(text) == 36 and text.startswith("job_") and all(c in "0123456789abcdef" for c in text[4:])


def _encode_cursor(created_at: float, job_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at!r}|{job_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> tuple[float, str] | None:
    if cursor is None:
        return None
    try:
        created, _, job_id = (
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition("|")
        )
        return float(created), job_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidArguments(
            "not a cursor list_jobs returned", value=cursor, hint="Pass next_cursor exactly as returned."
        ) from None
