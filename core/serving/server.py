"""MuscleServer: the SDK's MCPServer with one error boundary and strict arguments.

The SDK wraps whatever a tool raises (a suite error, a crash) in its own ToolError; here the
wrapper is taken off and :func:`core.serving.tool_errors.failed_call` turns the cause into
the one structured error shape clients branch on. Every tool refuses unknown arguments.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool

from core.errors import UnknownTool
from core.serving.strict_arguments import make_strict
from core.serving.tool_errors import error_result, failed_call

__all__ = ["MuscleServer"]


class MuscleServer(MCPServer[Any]):
    """An ``MCPServer`` whose every failure carries a code and a hint."""

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
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__ if exc.__cause__ is not None else exc
            return failed_call(name, cause, tool.fn_metadata.arg_model.model_fields)
