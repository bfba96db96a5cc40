"""MuscleServer: the SDK's MCPServer with one error boundary and strict arguments.

The SDK wraps whatever a tool raises (a suite error, a crash) in its own ToolError; here the
wrapper is taken off and :func:`core.serving.tool_errors.failed_call` turns the cause into
the one structured error shape clients branch on. Every tool refuses unknown arguments.

Given its muscle's runtime (as every generated mcp.py does), the server also speaks the MCP
Tasks extension for the muscle's job-backed tools (:mod:`core.serving.tasks`), adds a
``resource_link`` beside every MediaRef a tool returns (:mod:`core.serving.results`) and serves
``atoms://media/...`` as resources of the caller's tenant (:mod:`core.serving.resources`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, InputRequiredResult, ResourceTemplate
from pydantic import AnyUrl

from core.errors import UnknownTool
from core.jobs import JobStatus
from core.observability.requests import current_request_id, request_id_scope
from core.progress import Progress
from core.scope import Scope
from core.serving.request_ids import request_id_of
from core.serving.resources import MEDIA_TEMPLATE, is_media_resource, read_media_resource
from core.serving.results import with_resource_links
from core.serving.strict_arguments import make_strict
from core.serving.tasks import TasksExtension
from core.serving.tool_errors import error_result, failed_call

if TYPE_CHECKING:
    from core.serving.runtime import MuscleRuntime

__all__ = ["MuscleServer"]


class MuscleServer(MCPServer[Any]):
    """An ``MCPServer`` whose every failure carries a code and a hint."""

    def __init__(self, *args: Any, runtime: MuscleRuntime | None = None, **kwargs: Any) -> None:
        self.runtime = runtime
        self.tasks: TasksExtension | None = None
        if runtime is not None:
            kwargs.setdefault("lifespan", runtime.lifespan)
            self.tasks = TasksExtension(runtime)
            kwargs["extensions"] = [self.tasks, *kwargs.get("extensions", ())]
        super().__init__(*args, **kwargs)
        if self.tasks is not None:
            self.tasks.server = self
        if runtime is not None:
            runtime.bind(self)

    def add_tool(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().add_tool(fn, *args, **kwargs)
        name = kwargs.get("name") or fn.__name__
        tool = self._tool_manager.get_tool(name)
        if tool is not None:
            make_strict(tool)

    def strict_tool(self, name: str) -> Tool | None:
        return self._tool_manager.get_tool(name)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        tool = self._tool_manager.get_tool(name)
        if tool is None:
            return error_result(UnknownTool(f"no tool named {name!r}", value=name))
        if self.runtime is None:
            return await self._call(tool, name, arguments, context)
        runtime = self.runtime
        starts_job = (
            runtime.job_tools.handles(name) and runtime.job_tools.submitted(name) is not None
        ) or runtime.queues_jobs(name)
        with request_id_scope(_request_id(context)):
            return await runtime.host.run_call(
                runtime.caller_for(context),
                runtime.name,
                name,
                arguments,
                lambda: self._call(tool, name, arguments, context),
                starts_job=starts_job,
            )

    async def _call(
        self, tool: Tool, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None
    ) -> Any:
        try:
            result = await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__ if exc.__cause__ is not None else exc
            return failed_call(name, cause, tool.fn_metadata.arg_model.model_fields)
        return with_resource_links(result) if isinstance(result, CallToolResult) else result

    async def start_task(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any]
    ) -> CallToolResult | JobStatus:
        """Submit a call of the job-backed tool ``name`` as a job, through the same gate as a
        call: its status, or the error result of a call refused before any job exists
        (arguments, the tool's check, a quota)."""
        tool = self._tool_manager.get_tool(name)
        if tool is None or self.runtime is None:
            return error_result(UnknownTool(f"no tool named {name!r}", value=name))
        runtime = self.runtime

        async def submit() -> CallToolResult | JobStatus:
            try:
                validated = tool.fn_metadata.validate_arguments(arguments)
                status = await runtime.call(context, f"submit_{name}", **validated)
            except Exception as exc:  # noqa: BLE001 - the boundary: failed_call logs what is unexpected
                return failed_call(name, exc, tool.fn_metadata.arg_model.model_fields)
            return JobStatus.model_validate(status)

        with request_id_scope(_request_id(context)):
            return await runtime.host.run_call(
                runtime.caller_for(context), runtime.name, name, arguments, submit, starts_job=True
            )

    async def job_outcome(self, name: str, job_id: str, scope: Scope) -> CallToolResult:
        """What the client of a task gets once its job ended: the tool's own result (as a
        direct call would have returned it) or its coded error."""
        tool = self._tool_manager.get_tool(name)
        assert tool is not None and self.runtime is not None
        try:
            value = await self.runtime.invoke(
                "job_result", {"job_id": job_id}, progress=Progress(), scope=scope
            )
            converted = tool.fn_metadata.convert_result(value)
        except Exception as exc:  # noqa: BLE001 - the boundary, as for a direct call
            return failed_call(name, exc)
        assert isinstance(converted, CallToolResult)
        return with_resource_links(converted)

    async def list_resource_templates(self) -> list[ResourceTemplate]:
        templates = await super().list_resource_templates()
        return [*templates, MEDIA_TEMPLATE] if self.runtime is not None else templates

    async def read_resource(
        self, uri: AnyUrl | str, context: Context[Any, Any] | None = None
    ) -> Iterable[ReadResourceContents] | InputRequiredResult:
        if self.runtime is None or not is_media_resource(str(uri)):
            return await super().read_resource(uri, context)
        runtime = self.runtime
        scope = runtime.scope_for(context)
        limit = runtime.settings.resource_text_max_bytes
        return await anyio.to_thread.run_sync(
            lambda: read_media_resource(runtime.store, scope, str(uri), text_max_bytes=limit)
        )


def _request_id(context: Context[Any, Any] | None) -> str | None:
    """The request id of the HTTP request behind ``context`` (a stateful session's tool runs in
    the session's task, not the request's: the id travels in the request's ASGI scope), else
    the one current already (stdio: none)."""
    request = None
    if context is not None:
        try:
            request = context.request_context.request
        except ValueError:
            request = None
    return request_id_of(request) or current_request_id()
