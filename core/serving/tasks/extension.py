"""MCP Tasks on the job engine: ``io.modelcontextprotocol/tasks`` (SEP-2663, 2026-07-28).

When a client declares the extension on a ``tools/call`` of a job-backed tool
(``@tool(job=True)``), the call is validated, governed and checked exactly like a direct call,
then submitted as a job on the data dir's job daemon; the answer is a ``CreateTaskResult`` as
soon as the task row is committed. The work runs in the background (it outlives the request,
the server process and a restart of it), ``tasks/get`` reads its job (progress as the
``statusMessage``, the tool's own ``CallToolResult`` inline once completed; a tool error is a
completed task with ``isError: true``), and ``tasks/cancel`` asks the daemon to stop it.

A client that does not declare the extension on *that* request gets today's inline call;
``tasks/*`` from such a client is refused with -32021. Every task request is authorised: a
task belongs to the tenant and actor that created it, and anyone else's id (like an unknown or
expired one) is -32602 "Task not found".

What the SDK (mcp 2.3) cannot carry is listed in the module docstring of
:mod:`core.serving.tasks`: ``notifications/tasks`` push and ``Mcp-Name`` checks on ``tasks/*``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import Context, require_client_extension
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolRequestParams, CallToolResult
from mcp_types.jsonrpc import INTERNAL_ERROR, INVALID_PARAMS
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from core.jobs import JobNotFound, JobStatus
from core.serving.caller import Caller
from core.serving.tasks.store import TaskRow, TaskTable, new_task_id
from core.serving.tasks.wire import TASKS_EXTENSION, TaskIdParams, TaskStatus, TaskUpdateParams, task_object

if TYPE_CHECKING:
    from core.serving.runtime import MuscleRuntime
    from core.serving.server import MuscleServer

__all__ = ["TasksExtension"]

logger = logging.getLogger(__name__)

_MODERN = frozenset(MODERN_PROTOCOL_VERSIONS)
_NOT_FOUND = "Failed to retrieve task: Task not found"
_EXPIRED = "Failed to retrieve task: Task has expired"


class TasksExtension(Extension):
    """The Tasks extension of one muscle server; its task table is shared by the data dir."""

    identifier = TASKS_EXTENSION

    def __init__(self, runtime: MuscleRuntime, *, clock: Callable[[], float] = time.time) -> None:
        self.runtime = runtime
        self.server: MuscleServer | None = None  # bound by the server it is given to
        self._clock = clock
        self._table: TaskTable | None = None
        self._opening = anyio.Lock()

    # --- what the extension contributes ------------------------------------------------

    def methods(self) -> Sequence[MethodBinding]:
        return [
            MethodBinding("tasks/get", TaskIdParams, self._get, protocol_versions=_MODERN),
            MethodBinding("tasks/update", TaskUpdateParams, self._update, protocol_versions=_MODERN),
            MethodBinding("tasks/cancel", TaskIdParams, self._cancel, protocol_versions=_MODERN),
        ]

    async def intercept_tool_call(
        self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if params.name not in self.runtime.job_tools.tools or not declared(ctx):
            return await call_next(ctx)
        server = self._server()
        context = Context(request_context=ctx, mcp_server=server, input_params=params)
        started = await server.start_task(params.name, params.arguments or {}, context)
        if isinstance(started, CallToolResult):
            return started  # refused before any job existed (bad arguments, governance, quota)
        caller = self.runtime.caller_of(ctx.request)
        return await self._create(caller, params.name, started)

    # --- the methods -------------------------------------------------------------------

    async def _get(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        require_client_extension(ctx, TASKS_EXTENSION)
        row, caller = await self._owned(ctx, params.task_id)
        return {"resultType": "complete", **await self._detailed(row, caller)}

    async def _update(self, ctx: ServerRequestContext[Any, Any], params: TaskUpdateParams) -> dict[str, Any]:
        require_client_extension(ctx, TASKS_EXTENSION)
        await self._owned(ctx, params.task_id)
        # No job-backed tool asks for input mid-run, so no key is ever outstanding: the spec
        # says to ignore responses to keys that are not.
        if params.input_responses:
            logger.info(
                "tasks/update for %s ignored %d unknown keys", params.task_id, len(params.input_responses)
            )
        return {"resultType": "complete"}

    async def _cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        require_client_extension(ctx, TASKS_EXTENSION)
        row, caller = await self._owned(ctx, params.task_id)
        if row.outcome is None:
            table = await self._opened()
            await anyio.to_thread.run_sync(table.request_cancel, row.task_id)
            with contextlib.suppress(JobNotFound):  # forgotten meanwhile: tasks/get reports it
                await self.runtime.jobs.request_cancel(caller.scope, row.job_id)
        return {"resultType": "complete"}

    # --- internals ---------------------------------------------------------------------

    async def _create(self, caller: Caller, tool: str, job: JobStatus) -> dict[str, Any]:
        settings = self.runtime.settings
        ttl_ms = round(settings.task_ttl_s * 1000) if settings.task_ttl_s > 0 else None
        row = TaskRow(
            task_id=new_task_id(),
            tenant_id=caller.tenant_id,
            actor=caller.actor,
            muscle=self.runtime.name,
            tool=tool,
            job_id=job.job_id,
            created_at=self._clock(),
            ttl_ms=ttl_ms,
        )
        table = await self._opened()
        await anyio.to_thread.run_sync(table.create, row)  # durable before the client hears of it
        logger.info("task %s runs %s.%s as job %s", row.task_id, row.muscle, tool, job.job_id)
        self.runtime.host.metrics.tasks.labels(row.muscle).inc()
        return {"resultType": "task", **await self._detailed(row, caller, job)}

    async def _owned(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> tuple[TaskRow, Caller]:
        """The caller's own live task, or -32602 (unknown, expired and another's read alike)."""
        caller = self.runtime.caller_of(ctx.request)
        table = await self._opened()
        row = await anyio.to_thread.run_sync(table.get, task_id)
        if row is None or row.tenant_id != caller.tenant_id or row.actor != caller.actor:
            raise MCPError(code=INVALID_PARAMS, message=_NOT_FOUND)
        if row.expired(self._clock()):
            await anyio.to_thread.run_sync(table.delete, task_id)
            raise MCPError(code=INVALID_PARAMS, message=_EXPIRED)
        return row, caller

    async def _detailed(self, row: TaskRow, caller: Caller, job: JobStatus | None = None) -> dict[str, Any]:
        """The task as ``tasks/get`` shows it now; a terminal one is frozen the first time."""
        if row.outcome is not None:
            return row.outcome
        try:
            job = job or await self.runtime.jobs.status(caller.scope, row.job_id)
        except JobNotFound:
            error = {"code": INTERNAL_ERROR, "message": "the task's job has been forgotten"}
            return await self._freeze(row, "failed", self._clock(), "the job record is gone", error=error)
        if not job.finished:
            return self._task(row, "working", job.updated_at, _progress_text(job))
        if job.state == "cancelled":
            message = "cancelled by the client" if row.cancel_requested else "cancelled"
            return await self._freeze(row, "cancelled", job.updated_at, message)
        # Succeeded, or failed with the tool's coded error: both are tool results, so the task
        # is completed (failed is only for JSON-RPC errors).
        result = await self._server().job_outcome(row.tool, row.job_id, caller.scope)
        message = "completed with a tool error" if result.is_error else "completed"
        payload = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return await self._freeze(row, "completed", job.updated_at, message, result=payload)

    async def _freeze(
        self,
        row: TaskRow,
        status: TaskStatus,
        updated_at: float,
        message: str,
        **extra: dict[str, Any],
    ) -> dict[str, Any]:
        outcome = {**self._task(row, status, updated_at, message), **extra}
        table = await self._opened()
        return await anyio.to_thread.run_sync(table.freeze, row.task_id, outcome)

    def _task(self, row: TaskRow, status: TaskStatus, updated_at: float, message: str) -> dict[str, Any]:
        terminal = status in ("completed", "failed", "cancelled")
        return task_object(
            task_id=row.task_id,
            status=status,
            created_at=row.created_at,
            updated_at=updated_at,
            ttl_ms=row.ttl_ms,
            poll_interval_ms=None if terminal else self.runtime.settings.task_poll_interval_ms,
            status_message=message,
        )

    async def _opened(self) -> TaskTable:
        if self._table is None:
            async with self._opening:
                if self._table is None:
                    path = self.runtime.settings.jobs_db_path
                    self._table = await anyio.to_thread.run_sync(TaskTable, path)
        return self._table

    def _server(self) -> MuscleServer:
        if self.server is None:
            raise RuntimeError("the tasks extension is not bound to a server")
        return self.server

    async def close(self) -> None:
        if self._table is not None:
            table, self._table = self._table, None
            await anyio.to_thread.run_sync(table.close)


def declared(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether *this* request declared the Tasks extension (there is no handshake to remember)."""
    if ctx.protocol_version not in _MODERN:
        return False
    capabilities = ctx.session.client_capabilities
    extensions = capabilities.extensions if capabilities is not None else None
    return bool(extensions) and TASKS_EXTENSION in extensions  # type: ignore[operator]


def _progress_text(job: JobStatus) -> str:
    if job.state == "queued":
        return job.message or "queued"
    share = f"{job.progress:.0%}"
    return f"{job.message} ({share})" if job.message else share
