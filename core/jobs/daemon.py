"""The job daemon: one per data dir, it runs the jobs every process on that data dir submits.

Servers (a long HTTP server, a one-shot ``muscle call`` over stdio) only write jobs into the
shared job table and poke the daemon; the daemon owns the Dask client (an embedded loopback
LocalCluster, or the scheduler at ``ATOMS_DASK_ADDRESS``), submits queued jobs, sets the
cancel flag of jobs whose cancel was requested, records progress (worker events) and outcomes
(task results) in the table, and resubmits jobs a previous daemon left unfinished. It outlives
the process that started it, and stops itself after ``ATOMS_JOBS_IDLE_S`` without work.

It listens on a loopback port (written, with a token, to ``<data dir>/jobs/daemon.json``) for
one-line commands: ``poke`` (look at the table now), ``ping`` and ``stop``. Run it as
``python -m core.jobs.daemon`` (the engine does, detached) or in-process (tests).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hmac
import inspect
import json
import logging
import os
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

import anyio

from core.errors import AtomsError
from core.jobs._cluster import DaskConnection, connect
from core.jobs._daemon_files import DaemonFiles
from core.jobs._worker import TOPIC, Invocation, cancel_event_name, execute
from core.jobs.errors import JobCancelled, JobFailed
from core.jobs.table import JobRow, JobTable
from core.metering.factory import open_writer
from core.metering.record import UsageRecord
from core.metering.writer import LedgerWriter
from core.observability.logs import configure_logging
from core.observability.requests import request_id_scope
from core.settings import Settings

__all__ = ["JobDaemon", "main"]

logger = logging.getLogger(__name__)

_SCAN_S: Final = 1.0  # the table is read at least this often, poked or not
_FLUSH_S: Final = 0.25  # progress reaches the table in batches at most this late
_FINISH_FLUSH_S: Final = 0.02  # an outcome is written almost at once (jobs ending together share it)
_CANCEL_WAIT_S: Final = 15.0  # a running job that ignores its cancel flag is dropped after this


class JobDaemon:
    def __init__(
        self, settings: Settings, *, processes: bool = True, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        self.processes = processes
        self.clock = clock
        self.files = DaemonFiles(settings.data_dir)
        self.token = secrets.token_hex(16)
        self._table: JobTable | None = None
        self._ledger: LedgerWriter | None = None  # every finished job is a usage record
        self._conn: DaskConnection | None = None
        self._futures: dict[str, Any] = {}  # run key -> distributed.Future
        self._rows: dict[str, JobRow] = {}  # job id -> the run this daemon follows
        self._unsaved: dict[str, JobRow] = {}
        self._flush_due: float | None = None  # loop time of the next planned flush
        self._cancels: dict[str, float] = {}  # run key -> when its cancel flag was set
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._last_work = clock()

    # --- lifecycle ---------------------------------------------------------------------

    async def serve(self, on_ready: Callable[[int], None] | None = None) -> None:
        """Run until stopped or idle; ``on_ready(port)`` once jobs can be taken."""
        self._table = await anyio.to_thread.run_sync(JobTable, self.settings.jobs_db_path)
        self._ledger = await anyio.to_thread.run_sync(open_writer, self.settings)
        self._conn = await connect(self.settings, processes=self.processes)
        self._conn.client.subscribe_topic(TOPIC, self._on_event)
        server = await asyncio.start_server(self._command, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            await anyio.to_thread.run_sync(self.files.publish, os.getpid(), port, self.token)
            if on_ready is not None:
                on_ready(port)
            logger.info("job daemon on 127.0.0.1:%d for %s", port, self.settings.data_dir)
            await self._loop()
        finally:
            server.close()
            await self._close()

    async def _close(self) -> None:
        await self._flush()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.client.unsubscribe_topic(TOPIC)
            await self._conn.close()
        await anyio.to_thread.run_sync(self.files.withdraw, self.token)
        if self._ledger is not None:
            await anyio.to_thread.run_sync(self._ledger.close)  # a clean stop loses no record
        if self._table is not None:
            await anyio.to_thread.run_sync(self._table.close)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Look at the table now (what a ``poke`` does)."""
        self._last_work = self.clock()
        self._wake.set()

    async def _loop(self) -> None:
        idle_s = self.settings.jobs_idle_s
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), _SCAN_S)
            self._wake.clear()
            busy = await self._scan()
            if busy or self._futures:
                self._last_work = self.clock()
            elif self.clock() - self._last_work > idle_s:
                logger.info("job daemon idle for %.0f s: stopping", idle_s)
                return

    # --- commands ----------------------------------------------------------------------

    async def _command(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 5)).decode("ascii", errors="replace").split()
            if len(line) == 2 and hmac.compare_digest(line[1], self.token):
                if line[0] == "poke":
                    self._last_work = self.clock()
                    self._wake.set()
                elif line[0] == "stop":
                    self.stop()
                writer.write(b"ok\n")
            else:
                writer.write(b"refused\n")
            await writer.drain()
        except (TimeoutError, OSError):
            pass
        finally:
            writer.close()

    # --- the table ---------------------------------------------------------------------

    async def _scan(self) -> bool:
        """Take new jobs, act on cancel requests; True while any job is unfinished."""
        assert self._table is not None
        rows = await anyio.to_thread.run_sync(self._table.unfinished)
        # Newly submitted, or left running by a daemon that is gone: (re)run it. A run of ours
        # that just finished still reads as running until its batch is written: not fresh.
        fresh = [row for row in rows if row.run_key is None or not self._follows(row)]
        await self._launch(fresh)
        for row in rows:
            if row in fresh or not row.cancel_requested or row.run_key in self._cancels:
                continue
            ours = self._rows[row.job_id]
            if not ours.finished:
                await self._cancel(ours.but(cancel_requested=True))
        listed = {row.job_id for row in rows}
        for job_id, ours in list(self._rows.items()):
            if ours.finished and job_id not in listed and job_id not in self._unsaved:
                del self._rows[job_id]  # its end is written: the table remembers it now
        for key, since in list(self._cancels.items()):
            if key in self._futures and self.clock() - since > _CANCEL_WAIT_S:
                logger.warning("run %s ignored its cancel flag for %.0f s; dropping it", key, _CANCEL_WAIT_S)
                await self._finish(key, {"outcome": "cancelled"})
        return bool(rows)

    def _follows(self, row: JobRow) -> bool:
        """True when ``row`` is a run this daemon launched (running, or finished but unsaved)."""
        ours = self._rows.get(row.job_id)
        return ours is not None and ours.run_key == row.run_key

    async def _launch(self, rows: list[JobRow]) -> None:
        """Submit ``rows`` to Dask: their runs recorded in one transaction first."""
        assert self._conn is not None
        if not rows:
            return
        launched = []
        for row in rows:
            resumed = row.run_key is not None  # a previous daemon ran it and went away
            launched.append(
                row.but(
                    run_key=f"{row.job_id}-{uuid.uuid4().hex[:12]}",
                    state="queued",
                    progress=0.0,
                    message="resubmitted after a restart" if resumed else "queued",
                    updated_at=self.clock(),
                )
            )
        for row in launched:
            self._rows[row.job_id] = row
            with request_id_scope(row.request_id):
                logger.info("job %s: run %s (%s)", row.job_id, row.run_key, row.message)
        await self._save(launched)
        by_priority: dict[int, list[Invocation]] = {}
        for row in launched:
            assert row.run_key is not None
            if row.cancel_requested:
                await self._finish(row.run_key, {"outcome": "cancelled"}, known=row)
                continue
            by_priority.setdefault(row.priority, []).append(
                Invocation(
                    job_id=row.job_id,
                    tenant_id=row.tenant_id,
                    run_key=row.run_key,
                    function=row.function,
                    spec=row.spec,
                    settings=self.settings if self._conn.embedded else None,
                    request_id=row.request_id,
                )
            )
        # One graph update per priority (a batch of N jobs is one message to the scheduler, not N).
        for priority, invocations in sorted(by_priority.items(), reverse=True):
            keys = [invocation.run_key for invocation in invocations]
            futures = self._conn.client.map(execute, invocations, key=keys, priority=priority, pure=False)
            for key, future in zip(keys, futures, strict=True):
                self._futures[key] = future
                asyncio.get_running_loop().create_task(self._follow(key, future))

    async def _cancel(self, row: JobRow) -> None:
        assert self._conn is not None and row.run_key is not None
        key = row.run_key
        self._cancels[key] = self.clock()
        await self._conn.client.scheduler.event_set(name=cancel_event_name(key))
        if row.state == "queued":
            # Not started: drop it. Had it started a moment ago, it sees the flag and stops.
            await _maybe_await(self._futures[key].cancel())
            await self._finish(key, {"outcome": "cancelled"})

    async def _follow(self, key: str, future: Any) -> None:
        try:
            outcome: dict[str, Any] = await future
        except concurrent.futures.CancelledError:
            outcome = {"outcome": "cancelled"}
        except Exception as exc:
            logger.exception("run %s: Dask gave up on it", key)
            error = JobFailed(
                f"the job's worker failed: {type(exc).__name__}",
                hint="The worker died while running it (out of memory, or a crash); see the daemon's log.",
            )
            outcome = {"outcome": "failed", "error": error.to_dict()}
        await self._finish(key, outcome)
        if key in self._cancels and self._conn is not None:
            # The run has ended, so nobody polls its flag; the scheduler keeps set events.
            self._cancels.pop(key, None)
            with contextlib.suppress(OSError):
                await self._conn.client.scheduler.event_clear(name=cancel_event_name(key))

    async def _finish(self, key: str, outcome: dict[str, Any], known: JobRow | None = None) -> None:
        self._futures.pop(key, None)
        row = known or next((r for r in self._rows.values() if r.run_key == key), None)
        if row is None or row.finished:
            return
        now, state = self.clock(), outcome["outcome"]
        if state == "succeeded":
            row = row.but(state=state, progress=1.0, message="done", result=outcome["result"], updated_at=now)
        elif state == "failed":
            error = outcome["error"]
            # The code, as the client will read it from job_result; the message may quote its input.
            with request_id_scope(row.request_id):
                logger.warning("job %s (%s) failed: %s", row.job_id, row.kind, error.get("code"))
            row = row.but(state=state, message=str(error.get("message", "")), error=error, updated_at=now)
        else:
            error = JobCancelled(f"job {row.job_id} was cancelled", value=row.job_id).to_dict()
            row = row.but(state="cancelled", message="cancelled", error=error, updated_at=now)
        row = row.but(attempts=max(1, row.attempts) if state != "cancelled" else row.attempts)
        self._rows[row.job_id] = row
        self._save_soon(row, _FINISH_FLUSH_S)
        self._meter(row, outcome)

    def _meter(self, row: JobRow, outcome: dict[str, Any]) -> None:
        """The finished run as a usage record (a run dropped before it started used nothing)."""
        if self._ledger is None:
            return
        usage = outcome.get("usage") or {}
        muscle, _, tool = row.kind.rpartition(".")
        code = "ok" if row.state == "succeeded" else str((row.error or {}).get("code", row.state))
        with request_id_scope(row.request_id):  # the job's log line carries the call's request id
            logger.info("job %s (%s) ended %s", row.job_id, row.kind, code)
        self._ledger.record(
            UsageRecord(
                tenant_id=row.tenant_id,
                actor=row.actor or "unknown",
                muscle=muscle or row.kind,
                tool=tool,
                duration_s=float(usage.get("wall_s", 0.0)),
                cpu_s=float(usage.get("cpu_s", 0.0)),
                bytes_in=int(usage.get("bytes_in", 0)),
                bytes_out=int(usage.get("bytes_out", 0)),
                outcome=code,
                job_id=row.job_id,
                request_id=row.request_id,
            )
        )

    # --- events from workers -----------------------------------------------------------

    async def _on_event(self, event: tuple[float, dict[str, Any]]) -> None:
        _, message = event
        row = self._rows.get(str(message.get("job_id", "")))
        if row is None or row.run_key != message.get("run") or row.finished:
            return
        if message.get("type") == "started":
            attempts = row.attempts + 1
            with request_id_scope(row.request_id):
                logger.info("job %s: run %s started (attempt %d)", row.job_id, row.run_key, attempts)
            row = row.but(
                state="running",
                attempts=attempts,
                progress=0.0,
                message=f"started (attempt {attempts})",
                updated_at=self.clock(),
            )
        else:
            fraction = min(1.0, max(0.0, float(message.get("fraction", 0.0))))
            row = row.but(
                state="running",
                progress=fraction,
                message=str(message.get("message", "")),
                updated_at=self.clock(),
            )
        self._rows[row.job_id] = row
        self._save_soon(row)

    def _save_soon(self, row: JobRow, within: float = _FLUSH_S) -> None:
        """Write ``row`` with the next batch, at most ``within`` seconds from now: many jobs
        changing at once cost one transaction."""
        self._unsaved[row.job_id] = row
        loop = asyncio.get_running_loop()
        due = loop.time() + within
        if self._flush_due is None or due < self._flush_due:
            self._flush_due = due  # an earlier flush planned before still runs; it finds less
            loop.call_at(due, lambda: asyncio.ensure_future(self._flush()))

    async def _flush(self) -> None:
        self._flush_due = None
        batch, self._unsaved = list(self._unsaved.values()), {}
        if batch:
            await self._save(batch)

    async def _save(self, rows: list[JobRow]) -> None:
        assert self._table is not None
        for row in rows:
            self._unsaved.pop(row.job_id, None)  # this newer state replaces pending progress
        await anyio.to_thread.run_sync(self._table.save, rows)


async def _maybe_await(value: object) -> None:
    # An asynchronous Dask client returns awaitables from calls that are blocking elsewhere.
    if inspect.isawaitable(value):
        await value


def main() -> int:
    """``python -m core.jobs.daemon``: settings as JSON on stdin (they may hold secrets, so
    never on the command line or on disk); logs to stderr (the engine points it at a file)."""
    payload = json.loads(sys.stdin.read() or "{}")
    settings = Settings(**payload)
    configure_logging(settings.log_level, settings.log_style)
    daemon = JobDaemon(settings)
    try:
        anyio.run(daemon.serve)
    except AtomsError as error:
        logger.error("job daemon cannot start: %s", error)
        daemon.files.record_failure(error.to_dict())
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
