"""A muscle's job-backed tool, run as a job: the same tool body, on a worker.

``@tool(job=True)`` tools are offered as ``submit_<tool>``: the server submits
:func:`run_tool` with a :class:`ToolJob` spec (the muscle class, the tool, the arguments as
JSON). On the worker the muscle is made and started once per worker process (its models and
clients load once), the arguments are validated into the tool's own types again, and the tool
body runs in an event loop of its own with a Workspace over the worker's media store and a
Progress that feeds the job's progress. A cancelled job cancels the body (ffmpeg is stopped)
before anything is published.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import anyio
from mcp.server.mcpserver.utilities.func_metadata import func_metadata
from pydantic import BaseModel, ConfigDict, JsonValue, RootModel

from core.contract import Muscle, injected_parameters
from core.jobs.context import JobContext
from core.jobs.errors import JobCancelled
from core.media.store import MediaStore
from core.media.workspace import WORK_DIR, BlockingWorkspace, Workspace
from core.progress import Progress
from core.scope import Scope
from core.settings import Settings

__all__ = ["ToolJob", "run_tool"]

_CANCEL_POLL_S = 0.2


class ToolJob(BaseModel):
    """One call of a job-backed tool: which muscle and tool, with which arguments."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    muscle: str  # module:qualname of the Muscle class
    tool: str
    arguments: dict[str, JsonValue]


class ToolResult(RootModel[Any]):
    """The tool's own return value, carried as the job's result."""


def run_tool(ctx: JobContext, spec: ToolJob) -> ToolResult:
    """The job function of every job-backed tool (see the module docstring)."""
    muscle, store = _started(spec.muscle, ctx.settings)
    method = getattr(muscle, spec.tool)
    injected = injected_parameters(method)
    arguments = func_metadata(method, skip_names=list(injected)).arg_model.model_validate(spec.arguments)
    kwargs = arguments.model_dump_one_level()
    workspace = BlockingWorkspace(
        store,
        Scope(tenant_id=ctx.tenant_id),
        ctx.settings.data_dir / WORK_DIR,
        check_cancelled=ctx.raise_if_cancelled,
    )

    async def report(fraction: float, total: float | None, message: str | None) -> None:
        ctx.progress(fraction, message or "")

    values = {"progress": Progress(report), "scope": workspace.scope, "workspace": Workspace(workspace)}
    kwargs.update({name: values[kind] for name, kind in injected.items()})
    with workspace:
        return ToolResult(anyio.run(_cancellable, ctx, functools.partial(method, **kwargs)))


async def _cancellable(ctx: JobContext, body: Callable[[], Any]) -> Any:
    """Run ``body()`` (the tool, sync or async) until it ends or the job is cancelled; what it
    raises leaves as itself (not inside an ExceptionGroup), so its code reaches the client."""
    outcome: list[Any] = []
    failure: list[Exception] = []
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            while not await anyio.to_thread.run_sync(ctx.cancelled):  # noqa: ASYNC110 - a flag on the scheduler
                await anyio.sleep(_CANCEL_POLL_S)
            group.cancel_scope.cancel()

        async def run() -> None:
            try:
                result = body()
                if hasattr(result, "__await__"):
                    result = await result
                outcome.append(result)
            except Exception as exc:  # noqa: BLE001 - re-raised below, outside the task group
                failure.append(exc)
            group.cancel_scope.cancel()

        group.start_soon(watch)
        group.start_soon(run)
    if failure:
        raise failure[0]
    if not outcome:
        raise JobCancelled(f"job {ctx.job_id} was cancelled", value=ctx.job_id)
    return outcome[0]


_lock = threading.Lock()
_muscles: dict[tuple[str, str], tuple[Muscle, MediaStore]] = {}


def _started(ref: str, settings: Settings) -> tuple[Muscle, MediaStore]:
    """The worker process's one started instance of the muscle, and its media store."""
    from core.jobs._worker import resolve_function  # the same by-reference lookup as functions

    key = (ref, settings.model_dump_json())
    with _lock:
        if key not in _muscles:
            muscle_class: type[Muscle] = resolve_function(ref)  # type: ignore[assignment]
            muscle = muscle_class(settings)
            anyio.run(muscle.startup)
            _muscles[key] = (muscle, MediaStore.from_settings(settings))
        return _muscles[key]
