"""The tools a job-backed muscle gets from the runtime: ``submit_<tool>`` for each tool declared
``@tool(job=True)``, and the shared ``job_status``, ``cancel_job``, ``job_result`` and ``list_jobs``.

A submitted tool runs its own body as a job (:func:`core.jobs.tool_jobs.run_tool`) on the data
dir's job daemon, so it outlives the call and the process. Its result comes back through
``job_result`` as the tool's own return type. A job whose result names stored media that has
since been deleted is done again when submitted again, and its ``job_result`` says the media
is gone (asset_not_found).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, get_type_hints

import anyio
from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

from core.contract import Muscle, tool_options
from core.errors import AssetNotFound, InvalidIdentifier, InvalidInput
from core.jobs import JobEngine, JobPage, JobStatus
from core.jobs.tool_jobs import ToolJob, run_tool
from core.media.store import MediaStore
from core.scope import Scope
from core.serving.results import media_refs

__all__ = ["JOB_TOOLS", "JOB_TOOL_HINTS", "SUBMIT_PREFIX", "JobTools", "job_backed"]

SUBMIT_PREFIX: Final = "submit_"
JOB_TOOLS: Final = ("job_status", "cancel_job", "job_result", "list_jobs")
# The shared job tools' annotations (their MCP hints, and so their governance complexity).
JOB_TOOL_HINTS: Final[dict[str, dict[str, bool]]] = {
    "job_status": {"read_only": True, "idempotent": True},
    "cancel_job": {"destructive": True, "idempotent": True},
    "job_result": {"read_only": True, "idempotent": True},
    "list_jobs": {"read_only": True, "idempotent": True},
}


def job_backed(muscle_class: type[Muscle]) -> list[str]:
    """The muscle's tools declared ``@tool(job=True)``, in the order the class defines them."""
    names = []
    for name, member in vars(muscle_class).items():
        options = tool_options(member)
        if options is not None and options.job:
            names.append(name)
    return names


class JobTools:
    """The job tools of one muscle, run by its runtime."""

    def __init__(
        self,
        muscle_class: type[Muscle],
        name: str,
        jobs: Callable[[], JobEngine],
        store: Callable[[], MediaStore],
    ) -> None:
        self.muscle_class = muscle_class
        self.name = name
        self.tools = job_backed(muscle_class)
        self._jobs = jobs
        self._store = store
        self._results = {
            tool: TypeAdapter(get_type_hints(getattr(muscle_class, tool))["return"]) for tool in self.tools
        }

    def handles(self, tool: str) -> bool:
        if not self.tools:
            return False
        return tool in JOB_TOOLS or (
            tool.startswith(SUBMIT_PREFIX) and tool[len(SUBMIT_PREFIX) :] in self.tools
        )

    def submitted(self, tool: str) -> str | None:
        """The job-backed tool ``tool`` submits, or None when it is a shared job tool."""
        return tool[len(SUBMIT_PREFIX) :] if tool.startswith(SUBMIT_PREFIX) else None

    async def submit(
        self, tool: str, arguments: dict[str, Any], scope: Scope, *, actor: str | None = None
    ) -> JobStatus:
        spec = ToolJob(
            muscle=f"{self.muscle_class.__module__}:{self.muscle_class.__qualname__}",
            tool=tool,
            arguments=to_jsonable_python(arguments),
        )
        return await self._jobs().submit(
            scope,
            run_tool,
            spec,
            kind=f"{self.name}.{tool}",
            still_valid=lambda result: self._media_kept(scope, result),
            actor=actor,
        )

    async def call(self, tool: str, arguments: dict[str, Any], scope: Scope) -> Any:
        jobs = self._jobs()
        if tool == "job_status":
            return await jobs.status(scope, arguments["job_id"])
        if tool == "cancel_job":
            return await jobs.cancel(scope, arguments["job_id"])
        if tool == "list_jobs":
            page: JobPage = await jobs.list_jobs(
                scope, cursor=arguments.get("cursor"), limit=arguments.get("limit", 20)
            )
            return page
        job_id = arguments["job_id"]
        status = await jobs.status(scope, job_id)
        result = await jobs.result(scope, job_id)
        if not await anyio.to_thread.run_sync(self._media_kept, scope, result):
            raise AssetNotFound(
                f"media made by job {job_id} has since been deleted from media_v2",
                value=job_id,
                hint="Submit the same call again: a job whose media is gone runs again.",
            )
        made_by = status.kind.rsplit(".", 1)[-1]
        return self._results[made_by].validate_python(result)

    def _media_kept(self, scope: Scope, result: Any) -> bool:
        """False when a MediaRef in ``result`` names an asset that is gone (or holds other bytes)."""
        store = self._store()
        for ref in media_refs(result):
            try:
                stored = store.stat(scope, ref["uri"])
            except (AssetNotFound, InvalidIdentifier, InvalidInput):
                return False
            if stored.sha256 != ref["sha256"]:
                return False
        return True
