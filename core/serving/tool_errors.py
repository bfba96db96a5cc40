"""The one place where a failed tool call becomes what the client sees.

Every failure reaches :func:`failed_call` once: a suite error (:class:`~core.errors.AtomsError`,
including one a job recorded and a relay re-raised) keeps its own code, message, value and
hint, in the client's result and in the log line alike; arguments that break the input schema
become ``invalid_arguments`` naming each field (unknown keys beside the known ones); anything
else is logged with its traceback and answered ``internal_error`` with nothing of it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from core.errors import AtomsError, InvalidArguments

__all__ = ["error_result", "failed_call"]

logger = logging.getLogger(__name__)


def error_result(error: AtomsError) -> CallToolResult:
    """A tool error the client can branch on: ``structured_content = {"error": {code, message, hint}}``."""
    body = {"error": error.to_dict()}
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(body, ensure_ascii=False))],
        structured_content=body,
        is_error=True,
    )


def failed_call(tool: str, exc: BaseException, known_arguments: Iterable[str] = ()) -> CallToolResult:
    """The result of a call of ``tool`` that raised ``exc`` (unwrapped from the SDK's ToolError)."""
    if isinstance(exc, AtomsError):
        logger.info("tool %s failed: %s", tool, exc.code)
        return error_result(exc)
    if isinstance(exc, ValidationError):
        error = invalid_arguments(tool, exc, sorted(known_arguments))
        logger.info("tool %s rejected arguments: %s", tool, [p["field"] for p in error.details["errors"]])
        return error_result(error)
    # The only catch-all: the traceback goes to the log, nothing of it to the client.
    logger.error("tool %s crashed", tool, exc_info=exc)
    return error_result(AtomsError(f"tool {tool} failed unexpectedly; the server log has details"))


def invalid_arguments(tool: str, exc: ValidationError, known: list[str]) -> InvalidArguments:
    errors = exc.errors(include_url=False)
    problems: list[dict[str, Any]] = []
    for err in errors:
        field = ".".join(str(part) for part in err["loc"]) or "(arguments)"
        if err["type"] == "extra_forbidden":
            problem = (
                f"unknown argument (known: {', '.join(known) or 'none'})"
                if len(err["loc"]) == 1
                else ("unknown field")
            )
        else:
            problem = err["msg"]
        problems.append({"field": field, "problem": problem})
    first = errors[0]
    value = problems[0]["field"] if first["type"] in ("missing", "extra_forbidden") else first.get("input")
    return InvalidArguments(
        f"arguments of {tool} do not match its input schema: "
        + "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
        value=value,
        details={"errors": problems, "known_arguments": known},
    )
