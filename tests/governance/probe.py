"""A muscle with one tool of each governance complexity, served as a generated mcp.py serves one.

``look`` (read-only: 1), ``watch`` (reports progress: 2), ``write`` (changes state: 3) and
``wipe`` (destructive: 4). ``write`` counts its runs, so a test sees how often a call ran.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from mcp.server.mcpserver import Context

from core.contract import Muscle, tool
from core.progress import Progress
from core.serving.runtime import MuscleRuntime
from core.serving.server import MuscleServer
from core.settings import Settings

TOOLS = ("look", "watch", "write", "wipe")


class GovProbe(Muscle):
    """Tools of each complexity."""

    version = "1.0.0"
    writes: ClassVar[list[str]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    @tool(read_only=True)
    def look(self) -> str:
        """Read something."""
        return "seen"

    @tool
    async def watch(self, progress: Progress) -> int:
        """Stream some progress."""
        await progress.report(1.0, "done")
        return 1

    @tool
    def write(self, note: str) -> int:
        """Change state: remember the note; the number of notes so far."""
        with self.lock:
            self.writes.append(note)
            return len(self.writes)

    @tool(destructive=True)
    def wipe(self) -> int:
        """Destroy something."""
        return 0


def serve(settings: Settings) -> tuple[MuscleRuntime, MuscleServer]:
    """A runtime and its MCP server with the four tools bound (what generated code does)."""
    GovProbe.writes.clear()
    runtime = MuscleRuntime(GovProbe, settings)
    server = MuscleServer(name="probe", runtime=runtime)

    async def look(ctx: Context) -> str:
        return await runtime.call(ctx, "look")  # type: ignore[no-any-return]

    async def watch(ctx: Context) -> int:
        return await runtime.call(ctx, "watch")  # type: ignore[no-any-return]

    async def write(ctx: Context, note: str) -> int:
        return await runtime.call(ctx, "write", note=note)  # type: ignore[no-any-return]

    async def wipe(ctx: Context) -> int:
        return await runtime.call(ctx, "wipe")  # type: ignore[no-any-return]

    for fn in (look, watch, write, wipe):
        server.add_tool(fn, name=fn.__name__)
    return runtime, server


def outcome(result: Any) -> str:
    """``ok`` or the coded error of a CallToolResult."""
    if not result.is_error:
        return "ok"
    return str(result.structured_content["error"]["code"])
