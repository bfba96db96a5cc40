"""What the muscles of one serving process share, and the one gate every tool call passes.

:meth:`MuscleHost.run_call` wraps each ``tools/call`` (and each task submission): it admits the
call against the tenant's quotas, meters what the call consumes while it runs, and hands a usage
record (who, which muscle and tool, duration, CPU seconds, bytes in and out, outcome, job id,
request id) to the ledger writer, off the call's path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from mcp_types import CallToolResult

from core.errors import QuotaExceeded
from core.jobs.table import JobTable
from core.metering import LedgerWriter, Quotas, UsageMeter, UsageRecord, metered, open_writer
from core.observability.requests import current_request_id
from core.serving.caller import Caller
from core.serving.tool_errors import error_result
from core.settings import Settings

__all__ = ["MuscleHost", "outcome_of"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def outcome_of(result: Any) -> tuple[str, str | None]:
    """(outcome, job id) of a tool result: ``ok`` or the coded error's code."""
    if not isinstance(result, CallToolResult):
        job_id = getattr(result, "job_id", None)
        return "ok", job_id if isinstance(job_id, str) else None
    content = result.structured_content if isinstance(result.structured_content, dict) else {}
    if result.is_error:
        error = content.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        return str(code or "internal_error"), None
    job_id = content.get("job_id")
    return "ok", job_id if isinstance(job_id, str) else None


class MuscleHost:
    """The process's usage-ledger writer and quotas (one per serving process, shared by every
    muscle it mounts); :meth:`start` before serving, :meth:`stop` after (it writes what waits)."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self._writer: LedgerWriter | None = None
        self._jobs: JobTable | None = None
        self.quotas = Quotas(
            settings.quota_defaults,
            settings.quota_overrides,
            cpu_used=self._cpu_used,
            unfinished_jobs=self._unfinished_jobs,
            clock=clock,
        )

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        if self._writer is None:
            self._writer = await anyio.to_thread.run_sync(open_writer, self.settings)

    async def stop(self) -> None:
        """Write every queued record, then release the ledger and the job table."""
        writer, self._writer = self._writer, None
        if writer is not None:
            await anyio.to_thread.run_sync(writer.close)
        jobs, self._jobs = self._jobs, None
        if jobs is not None:
            await anyio.to_thread.run_sync(jobs.close)

    @property
    def writer(self) -> LedgerWriter:
        if self._writer is None:
            raise RuntimeError("the muscle host is not started")
        return self._writer

    # --- the gate ----------------------------------------------------------------------

    async def run_call(
        self,
        caller: Caller,
        muscle: str,
        tool: str,
        run: Callable[[], Awaitable[T]],
        *,
        starts_job: bool = False,
    ) -> T | CallToolResult:
        """``run()`` (the call) once the tenant's quotas admit it, metered and recorded."""
        await self.start()
        started = time.monotonic()
        meter = UsageMeter()
        if self.quotas.active:
            try:
                await anyio.to_thread.run_sync(
                    lambda: self.quotas.admit(caller.tenant_id, starts_job=starts_job)
                )
            except QuotaExceeded as exc:
                logger.info("tenant %s refused by quota %s", caller.tenant_id, exc.value)
                self._record(caller, muscle, tool, started, meter, exc.code, None)
                return error_result(exc)
        try:
            with metered(meter):
                result = await run()
        except BaseException as exc:  # recorded, then re-raised as it is
            code = "cancelled" if isinstance(exc, anyio.get_cancelled_exc_class()) else "internal_error"
            self._record(caller, muscle, tool, started, meter, code, None)
            raise
        outcome, job_id = outcome_of(result)
        self._record(caller, muscle, tool, started, meter, outcome, job_id)
        return result

    def _record(
        self,
        caller: Caller,
        muscle: str,
        tool: str,
        started: float,
        meter: UsageMeter,
        outcome: str,
        job_id: str | None,
    ) -> None:
        self.writer.record(
            UsageRecord(
                tenant_id=caller.tenant_id,
                actor=caller.actor,
                muscle=muscle,
                tool=tool,
                duration_s=time.monotonic() - started,
                cpu_s=meter.cpu_s,
                bytes_in=meter.bytes_in,
                bytes_out=meter.bytes_out,
                outcome=outcome,
                job_id=job_id,
                request_id=current_request_id(),
                recorded_at=self._clock(),
            )
        )

    # --- what quotas read (blocking: on the quota check's worker thread) -----------------

    def _cpu_used(self, tenant_id: str, since: float) -> float:
        writer = self.writer
        waiting = sum(
            r.cpu_s for r in writer.pending() if r.tenant_id == tenant_id and r.recorded_at >= since
        )
        return writer.ledger.cpu_seconds_since(tenant_id, since) + waiting

    def _unfinished_jobs(self, tenant_id: str) -> int:
        if self._jobs is None:
            self._jobs = JobTable(self.settings.jobs_db_path)
        return self._jobs.count_unfinished(tenant_id)
