"""MuscleServer: the SDK's MCPServer, with argument errors reported like every other error."""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult
from pydantic import ValidationError

from core.errors import AtomsError, InvalidArguments, UnknownTool
from core.serving.runtime import error_result

__all__ = ["MuscleServer"]

logger = logging.getLogger(__name__)


class MuscleServer(MCPServer[Any]):
    """An ``MCPServer`` whose argument and lookup failures carry a code and a hint.

    The SDK validates arguments before the tool runs and reports failures as plain text;
    here they become the same structured ``{"error": {code, message, hint}}`` that tools
    return, so a client handles one error shape.
    """

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            logger.exception("tool %s crashed outside the runtime", name)
            return error_result(AtomsError(f"tool {name} failed unexpectedly; the server log has details"))
        except ToolError as exc:
            return await self._tool_error(name, exc)

    async def _tool_error(self, name: str, exc: ToolError) -> CallToolResult:
        cause = exc.__cause__
        if isinstance(cause, ValidationError):
            errors = cause.errors(include_url=False)
            problems = [
                {"field": ".".join(str(p) for p in err["loc"]) or "(arguments)", "problem": err["msg"]}
                for err in errors
            ]
            first = errors[0]
            return error_result(
                InvalidArguments(
                    f"arguments of {name} do not match its input schema: "
                    + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
                    value=first.get("input") if first["type"] != "missing" else problems[0]["field"],
                    details={"errors": problems},
                )
            )
        if name not in {tool.name for tool in await self.list_tools()}:
            return error_result(UnknownTool(f"no tool named {name!r}", value=name))
        logger.info("tool %s failed: %s", name, exc)
        return error_result(AtomsError(f"tool {name} failed"))
