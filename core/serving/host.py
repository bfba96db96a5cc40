"""What the muscles of one serving process share, and the one gate every tool call passes.

:meth:`MuscleHost.run_call` wraps each ``tools/call`` (and each task submission):

1. governance: the caller's maturity against the tool's complexity (cached, see
   :mod:`core.governance`); the decision is recorded (who, tool, level, outcome). A refused call
   answers ``maturity_too_low`` naming the level needed; an INTERN's call past its level is
   stored as a proposal (and published to its canvas) and answers ``approval_required``;
2. quotas: calls per minute, concurrent jobs, CPU seconds per day (``quota_exceeded``);
3. the call, metered (CPU, bytes), then a usage record to the ledger writer, off the call's
   path; a SUPERVISED agent's call is appended to the supervision stream.

An approved proposal runs once through :meth:`MuscleHost.decide`, as the agent that proposed it.
"""

from __future__ import annotations

import contextvars
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from mcp_types import CallToolResult
from pydantic_core import to_jsonable_python

from core.errors import AccessDenied, ApprovalRequired, MaturityTooLow, NotFound, QuotaExceeded
from core.governance import Decision, GovernanceStore, Governor, Proposal, parse_maturity
from core.jobs.table import JobTable
from core.metering import (
    DecisionRecord,
    LedgerWriter,
    Quotas,
    UsageMeter,
    UsageRecord,
    metered,
    open_writer,
)
from core.observability.metrics import HostMetrics
from core.observability.requests import current_request_id
from core.serving.caller import Caller, acting_as
from core.serving.governance_events import GovernanceEvents
from core.serving.tool_errors import error_result
from core.settings import Settings

if TYPE_CHECKING:
    from core.serving.server import MuscleServer

__all__ = ["MuscleHost", "outcome_of"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The proposal an approval is running now: its call skips the maturity check it already passed.
_approved: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "atoms_approved_proposal", default=None
)


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
    """The process's ledger writer, quotas, governance and mounted servers (one per serving
    process, shared by every muscle it serves); :meth:`start` before serving, :meth:`stop`
    after (it writes what waits)."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self._writer: LedgerWriter | None = None
        self._jobs: JobTable | None = None
        self._store: GovernanceStore | None = None
        self._complexity: dict[str, Callable[[str], int]] = {}
        self._servers: dict[str, MuscleServer] = {}
        self.governor = Governor(lambda muscle, tool: self._complexity[muscle](tool))
        self.events = GovernanceEvents(settings)
        self._opening = threading.Lock()
        self.metrics = HostMetrics(jobs_by_state=self._jobs_by_state, ledger=self._ledger_figures)
        self.quotas = Quotas(
            settings.quota_defaults,
            settings.quota_overrides,
            cpu_used=self._cpu_used,
            unfinished_jobs=self._unfinished_jobs,
            clock=clock,
        )

    def mount(
        self, muscle: str, complexity: Callable[[str], int], server: MuscleServer | None = None
    ) -> None:
        """Serve ``muscle`` here: ``complexity(tool)`` rates its tools; ``server`` runs its
        approved proposals."""
        self._complexity[muscle] = complexity
        if server is not None:
            self._servers[muscle] = server

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        if self._writer is None:
            self._writer = await anyio.to_thread.run_sync(open_writer, self.settings)

    async def stop(self) -> None:
        """Write every queued record, then release the ledger, the job table and the store."""
        writer, self._writer = self._writer, None
        if writer is not None:
            await anyio.to_thread.run_sync(writer.close)
        for closing in (self._jobs, self._store):
            if closing is not None:
                await anyio.to_thread.run_sync(closing.close)
        self._jobs = self._store = None

    @property
    def writer(self) -> LedgerWriter:
        if self._writer is None:
            raise RuntimeError("the muscle host is not started")
        return self._writer

    async def store(self) -> GovernanceStore:
        if self._store is None:
            self._store = await anyio.to_thread.run_sync(
                GovernanceStore, self.settings.data_dir / "governance.sqlite3"
            )
        return self._store

    # --- the gate ----------------------------------------------------------------------

    async def run_call(
        self,
        caller: Caller,
        muscle: str,
        tool: str,
        arguments: dict[str, Any],
        run: Callable[[], Awaitable[T]],
        *,
        starts_job: bool = False,
    ) -> T | CallToolResult:
        """``run()`` (the call) once governance and the tenant's quotas admit it, metered and
        recorded (see the module docstring)."""
        await self.start()
        started = time.monotonic()
        meter = UsageMeter()
        approved = _approved.get()
        decision = self.governor.check(caller.maturity, muscle, tool)
        if approved is not None:
            self._decided(caller, muscle, tool, decision, "allow", approved)
        elif decision.outcome in ("refuse", "propose"):
            refusal = await self._refuse(caller, muscle, tool, arguments, decision)
            self._record(caller, muscle, tool, started, meter, refusal.code, None)
            return error_result(refusal)
        else:
            self._decided(caller, muscle, tool, decision, decision.outcome, None)
        if self.quotas.active:
            try:
                await anyio.to_thread.run_sync(
                    lambda: self.quotas.admit(caller.tenant_id, starts_job=starts_job)
                )
            except QuotaExceeded as exc:
                logger.info("tenant %s refused by quota %s", caller.tenant_id, exc.value)
                self.metrics.quota_refusals.labels(str(exc.value)).inc()
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
        if decision.outcome == "supervise" and approved is None:
            await self._supervise(caller, muscle, tool, arguments, outcome)
        return result

    async def _refuse(
        self, caller: Caller, muscle: str, tool: str, arguments: dict[str, Any], decision: Decision
    ) -> MaturityTooLow | ApprovalRequired:
        level = decision.maturity.name
        details = {"maturity": level, "complexity": decision.complexity, "needed": decision.needed.name}
        if decision.outcome == "refuse":
            self._decided(caller, muscle, tool, decision, "refuse", None)
            return MaturityTooLow(
                f"{caller.actor} ({level}) may not run {tool}, a complexity-{decision.complexity} tool: "
                f"it needs {decision.needed.name}",
                value=decision.needed.name,
                details=details,
            )
        store = await self.store()
        proposal = await anyio.to_thread.run_sync(
            lambda: store.propose(
                tenant_id=caller.tenant_id,
                actor=caller.actor,
                maturity=level,
                muscle=muscle,
                tool=tool,
                arguments=to_jsonable_python(arguments),
                complexity=decision.complexity,
                now=self._clock(),
            )
        )
        self._decided(caller, muscle, tool, decision, "propose", proposal.proposal_id)
        logger.info(
            "proposal %s: %s (%s) proposes %s.%s", proposal.proposal_id, caller.actor, level, muscle, tool
        )
        await self.events.proposed(proposal, caller.canvas)
        return ApprovalRequired(
            f"{caller.actor} ({level}) proposed {tool}, a complexity-{decision.complexity} tool: a person "
            f"approves or rejects proposal {proposal.proposal_id}",
            value=proposal.proposal_id,
            details={**details, "proposal_id": proposal.proposal_id},
        )

    async def _supervise(
        self, caller: Caller, muscle: str, tool: str, arguments: dict[str, Any], outcome: str
    ) -> None:
        store = await self.store()
        call = await anyio.to_thread.run_sync(
            lambda: store.supervise(
                tenant_id=caller.tenant_id,
                actor=caller.actor,
                muscle=muscle,
                tool=tool,
                arguments=to_jsonable_python(arguments),
                outcome=outcome,
                request_id=current_request_id(),
                now=self._clock(),
            )
        )
        await self.events.supervised(call)

    # --- deciding on proposals -----------------------------------------------------------

    async def decide(self, proposal_id: str, approver: Caller, *, approve: bool) -> tuple[Proposal, bool]:
        """A person approves or rejects a proposal of their tenant: (the proposal after it,
        whether this decision ran it). The first decision wins; an approval runs the call once
        (as the proposing agent), and every later decision returns the first outcome."""
        if not approver.approver:
            raise AccessDenied(
                f"{approver.actor} may not decide on proposals",
                value=approver.actor,
                hint="Proposals are approved by people: use a token whose grant says approver: true.",
            )
        store = await self.store()
        proposal, run = await anyio.to_thread.run_sync(
            lambda: store.decide(
                proposal_id, approver.tenant_id, approve=approve, by=approver.actor, now=self._clock()
            )
        )
        if proposal is None:
            raise NotFound(f"no proposal {proposal_id}", value=proposal_id)
        if not run:
            return proposal, False
        server = self._servers.get(proposal.muscle)
        if server is None:  # a proposal made by another host on this data dir
            raise NotFound(f"this host does not serve {proposal.muscle}", value=proposal.muscle)
        proposer = Caller(
            tenant_id=proposal.tenant_id, actor=proposal.actor, maturity=parse_maturity(proposal.maturity)
        )
        token = _approved.set(proposal.proposal_id)
        try:
            with acting_as(proposer):
                result = await server.call_tool(proposal.tool, proposal.arguments)
        finally:
            _approved.reset(token)
        payload = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        done = await anyio.to_thread.run_sync(store.executed, proposal.proposal_id, payload)
        logger.info("proposal %s approved by %s and run", proposal_id, approver.actor)
        return done, True

    # --- records -----------------------------------------------------------------------

    def _decided(
        self,
        caller: Caller,
        muscle: str,
        tool: str,
        decision: Decision,
        outcome: str,
        proposal_id: str | None,
    ) -> None:
        self.metrics.decided(outcome)
        self.writer.record(
            DecisionRecord(
                tenant_id=caller.tenant_id,
                actor=caller.actor,
                maturity=caller.maturity.name,
                muscle=muscle,
                tool=tool,
                complexity=decision.complexity,
                outcome=outcome,
                needed=decision.needed.name,
                proposal_id=proposal_id,
                request_id=current_request_id(),
                recorded_at=self._clock(),
            )
        )

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
        duration = time.monotonic() - started
        self.metrics.call(muscle, tool, outcome, duration, meter.cpu_s, meter.bytes_in, meter.bytes_out)
        # Calls that start a job or fail are logged at INFO (operators follow those, request id
        # and all); a plain successful call only at DEBUG: a log line costs more than the rest
        # of this gate, and the metrics count every call.
        logger.log(
            logging.INFO if job_id or outcome != "ok" else logging.DEBUG,
            "call %s.%s by %s/%s: %s in %.3f s%s",
            muscle,
            tool,
            caller.tenant_id,
            caller.actor,
            outcome,
            duration,
            f" (job {job_id})" if job_id else "",
        )
        self.writer.record(
            UsageRecord(
                tenant_id=caller.tenant_id,
                actor=caller.actor,
                muscle=muscle,
                tool=tool,
                duration_s=duration,
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
            r.cpu_s
            for r in writer.pending()
            if isinstance(r, UsageRecord) and r.tenant_id == tenant_id and r.recorded_at >= since
        )
        return writer.ledger.cpu_seconds_since(tenant_id, since) + waiting

    def _unfinished_jobs(self, tenant_id: str) -> int:
        return self._job_table().count_unfinished(tenant_id)

    # --- what metrics and readiness read (blocking) ------------------------------------------

    def _job_table(self) -> JobTable:
        with self._opening:
            if self._jobs is None:
                self._jobs = JobTable(self.settings.jobs_db_path)
            return self._jobs

    def _jobs_by_state(self) -> dict[str, int]:
        return self._job_table().count_by_state()

    def _ledger_figures(self) -> tuple[int, int, int]:
        writer = self._writer
        if writer is None:
            return 0, 0, 0
        return len(writer.pending()), writer.written, writer.dropped

    def check_jobs(self) -> None:
        """Raise unless the job table answers (and, with ATOMS_DASK_ADDRESS, the scheduler
        accepts a connection): what /health/ready asks of the job engine."""
        self._jobs_by_state()
        address = self.settings.dask_address
        if address:
            host, _, port = address.removeprefix("tcp://").rpartition(":")
            with socket.create_connection((host, int(port)), timeout=2.0):
                pass

    def check_ledger(self) -> None:
        """Raise unless the ledger writer runs (its thread alive once started)."""
        writer = self._writer
        if writer is not None and not writer.alive:
            raise RuntimeError("the usage ledger writer stopped")
