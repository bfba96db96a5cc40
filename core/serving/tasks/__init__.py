"""MCP Tasks (``io.modelcontextprotocol/tasks``, 2026-07-28) backed by the job engine.

See :mod:`core.serving.tasks.extension` for the behaviour. What the installed SDK (mcp 2.3.0)
cannot carry, with where it says so (paths under ``site-packages/``):

- ``notifications/tasks`` push: ``subscriptions/listen`` is a spec method, so an extension
  cannot bind it (``mcp/server/extension.py`` ``MethodBinding.__post_init__``), and the stock
  listen handler drops ``notifications.taskIds`` from its acknowledgement and never raises
  -32021 (``mcp/server/subscriptions.py`` ``_honored_subset``). Clients poll ``tasks/get``
  (the spec makes push optional).
- ``Mcp-Name`` routing headers on ``tasks/*`` are not checked: the server validates the header
  only for ``tools/call``, ``prompts/get`` and ``resources/read`` (``mcp/shared/inbound.py``).
  Nothing here depends on it: every ``tasks/*`` request is authorised against the task's owner.
- ``input_required``: server-to-client requests are refused on the stateless 2026-07-28 wire
  (``mcp/server/runner.py``), and no job-backed tool asks for input, so no task ever enters
  ``input_required``; ``tasks/update`` acknowledges and ignores unknown keys as the spec says.
"""

from core.serving.tasks.extension import TasksExtension, declared
from core.serving.tasks.store import TaskRow, TaskTable
from core.serving.tasks.wire import TASKS_EXTENSION

__all__ = ["TASKS_EXTENSION", "TaskRow", "TaskTable", "TasksExtension", "declared"]
