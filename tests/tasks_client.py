"""A minimal MCP Tasks client over the SDK's own client and transport, for the tests.

It declares ``io.modelcontextprotocol/tasks`` on every request (the SDK stamps the client's
extensions into each request's ``_meta``), receives ``resultType: "task"`` as
:class:`TaskCreated` (``allow_claimed=True``) and sends ``tasks/get`` and ``tasks/cancel``
with the ``Mcp-Name`` header the spec requires (``name_param``). Task objects come back as
the raw dicts the server sent, so tests see the exact wire fields.
"""

from __future__ import annotations

from typing import Any, Literal

from mcp import Client
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp_types import CallToolResult, Request, RequestParams, Result
from pydantic import ConfigDict, Field, TypeAdapter

TASKS = "io.modelcontextprotocol/tasks"
_RAW = TypeAdapter(dict[str, Any])


class TaskCreated(Result):
    """``CreateTaskResult``: the flat Task with ``resultType: "task"``."""

    model_config = ConfigDict(extra="allow")

    result_type: Literal["task"] = "task"
    task_id: str
    status: str
    status_message: str | None = None
    created_at: str
    last_updated_at: str
    ttl_ms: int | None = Field(...)
    poll_interval_ms: int | None = None


class _TaskIdParams(RequestParams):
    task_id: str


class GetTask(Request[_TaskIdParams, Literal["tasks/get"]]):
    name_param = "taskId"


class CancelTask(Request[_TaskIdParams, Literal["tasks/cancel"]]):
    name_param = "taskId"


class UpdateTask(Request[_TaskIdParams, Literal["tasks/update"]]):
    name_param = "taskId"


async def _unused(created: TaskCreated, ctx: ClaimContext) -> CallToolResult:  # pragma: no cover
    raise AssertionError("tests receive tasks with allow_claimed=True")


class TasksExtension(ClientExtension):
    identifier = TASKS

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=TaskCreated, resolve=_unused)]


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> TaskCreated | CallToolResult:
    result = await client.session.call_tool(tool, arguments, allow_claimed=True)
    assert isinstance(result, TaskCreated | CallToolResult), type(result)
    return result


async def get(client: Client, task_id: str) -> dict[str, Any]:
    request = GetTask(method="tasks/get", params=_TaskIdParams(task_id=task_id))
    return await client.session.send_request(request, _RAW)


async def cancel(client: Client, task_id: str) -> dict[str, Any]:
    request = CancelTask(method="tasks/cancel", params=_TaskIdParams(task_id=task_id))
    return await client.session.send_request(request, _RAW)


async def update(client: Client, task_id: str) -> dict[str, Any]:
    request = UpdateTask(method="tasks/update", params=_TaskIdParams(task_id=task_id))
    return await client.session.send_request(request, _RAW)
