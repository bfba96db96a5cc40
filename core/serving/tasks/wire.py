"""The Tasks extension on the wire (``io.modelcontextprotocol/tasks``, 2026-07-28 revision).

Request params of ``tasks/get``, ``tasks/update`` and ``tasks/cancel``, and the task objects
the server sends: ``CreateTaskResult`` (``resultType: "task"``, flat) and the ``DetailedTask``
of ``tasks/get`` (``resultType: "complete"``, plus ``result`` when completed and ``error``
when failed). Results are plain dicts on purpose: the SDK dumps models with
``exclude_none``, which would drop the required ``"ttlMs": null`` of a task kept without limit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Literal

from mcp_types import RequestParams
from pydantic import Field, JsonValue

__all__ = [
    "TASKS_EXTENSION",
    "TaskIdParams",
    "TaskStatus",
    "TaskUpdateParams",
    "iso8601",
    "task_object",
]

TASKS_EXTENSION: Final = "io.modelcontextprotocol/tasks"

TaskStatus = Literal["working", "input_required", "completed", "cancelled", "failed"]


class TaskIdParams(RequestParams):
    """``tasks/get`` and ``tasks/cancel``: ``{"taskId": ...}``."""

    task_id: str = Field(min_length=1, max_length=256)


class TaskUpdateParams(TaskIdParams):
    """``tasks/update``: answers to a task's outstanding ``inputRequests``."""

    input_responses: dict[str, JsonValue] = Field(default_factory=dict)


def iso8601(unix_s: float) -> str:
    """``2026-08-01T10:00:00.123Z``: UTC, millisecond precision."""
    moment = datetime.fromtimestamp(unix_s, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def task_object(
    *,
    task_id: str,
    status: TaskStatus,
    created_at: float,
    updated_at: float,
    ttl_ms: int | None,
    poll_interval_ms: int | None,
    status_message: str | None = None,
) -> dict[str, Any]:
    """The ``Task`` fields every task shape shares; ``ttlMs`` is always present (null: unlimited)."""
    task: dict[str, Any] = {
        "taskId": task_id,
        "status": status,
        "createdAt": iso8601(created_at),
        "lastUpdatedAt": iso8601(max(updated_at, created_at)),
        "ttlMs": ttl_ms,
    }
    if status_message:
        task["statusMessage"] = status_message
    if poll_interval_ms is not None:
        task["pollIntervalMs"] = poll_interval_ms
    return task
