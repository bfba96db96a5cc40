"""The one boundary between MCP and a muscle: injects progress and scope, calls the tool,
and turns failures into tool errors with structured content. Generated ``mcp.py`` files
call :meth:`MuscleRuntime.call` and nothing else."""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, get_type_hints

import anyio
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent

from core.contract import Muscle, tool_options
from core.errors import AtomsError, UnknownTool
from core.progress import Progress
from core.scope import Scope
from core.settings import Settings, load_settings

__all__ = ["TENANT_SCOPE_KEY", "MuscleRuntime", "error_result", "injected_parameters"]

logger = logging.getLogger(__name__)

# The HTTP auth middleware stores the verified tenant under this ASGI scope key.
TENANT_SCOPE_KEY = "atoms.tenant_id"


def error_result(error: AtomsError) -> CallToolResult:
    """A tool error the client can branch on: ``structured_content = {"error": {code, message, hint}}``."""
    body = {"error": error.to_dict()}
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(body, ensure_ascii=False))],
        structured_content=body,
        is_error=True,
    )


def injected_parameters(method: Callable[..., Any]) -> dict[str, str]:
    """Parameters the runtime fills in (by annotation): name -> "progress" | "scope"."""
    hints = get_type_hints(method)
    injected: dict[str, str] = {}
    for name, hint in hints.items():
        if hint is Progress:
            injected[name] = "progress"
        elif hint is Scope:
            injected[name] = "scope"
    return injected


class MuscleRuntime:
    """Holds the process's single muscle instance and runs its tools."""

    def __init__(
        self,
        muscle_class: type[Muscle],
        settings: Settings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.muscle_class = muscle_class
        self._settings = settings
        self._clock = clock
        self._muscle: Muscle | None = None
        self._started = False
        self._start_lock = anyio.Lock()
        self._injected: dict[str, dict[str, str]] = {}

    def configure(self, settings: Settings, *, clock: Callable[[], float] | None = None) -> None:
        """Use ``settings`` (read once at start by the serving entry point) and, in tests, a clock."""
        if self._muscle is not None:
            raise RuntimeError("configure() must come before the muscle is created")
        self._settings = settings
        if clock is not None:
            self._clock = clock

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def muscle(self) -> Muscle:
        if self._muscle is None:
            self._muscle = self.muscle_class(self.settings, clock=self._clock)
        return self._muscle

    @property
    def started(self) -> bool:
        return self._started

    async def start(self) -> None:
        """Run the muscle's startup hook once per process, however many sessions ask."""
        if self._started:  # the per-call fast path: no lock once started
            return
        async with self._start_lock:
            if not self._started:
                await self.muscle.startup()
                self._started = True

    async def stop(self) -> None:
        async with self._start_lock:
            if self._started:
                await self.muscle.shutdown()
                self._started = False

    @asynccontextmanager
    async def lifespan(self, _server: object) -> AsyncIterator[None]:
        # The SDK enters this once per session; startup is per process, so only start here.
        await self.start()
        yield

    def scope_for(self, ctx: Context[Any, Any] | None) -> Scope:
        """The caller's scope: the verified HTTP tenant, else the configured one (stdio)."""
        request = None
        if ctx is not None:
            try:
                request = ctx.request_context.request
            except ValueError:
                request = None
        asgi_scope = getattr(request, "scope", None)
        if isinstance(asgi_scope, dict) and TENANT_SCOPE_KEY in asgi_scope:
            return Scope(tenant_id=asgi_scope[TENANT_SCOPE_KEY])
        return Scope(tenant_id=self.settings.tenant_id)

    def _injected_for(self, tool_name: str) -> dict[str, str]:
        if tool_name not in self._injected:
            method = getattr(self.muscle_class, tool_name, None)
            if method is None or tool_options(method) is None:
                raise UnknownTool(f"{self.muscle_class.__name__} has no tool {tool_name!r}", value=tool_name)
            self._injected[tool_name] = injected_parameters(method)
        return self._injected[tool_name]

    async def invoke(
        self, tool_name: str, arguments: dict[str, Any], *, progress: Progress, scope: Scope
    ) -> Any:
        """Call a tool directly (no MCP): errors propagate as raised."""
        await self.start()
        kwargs = dict(arguments)
        for name, kind in self._injected_for(tool_name).items():
            kwargs[name] = progress if kind == "progress" else scope
        method = getattr(self.muscle, tool_name)
        if inspect.iscoroutinefunction(method):
            return await method(**kwargs)
        # A sync tool must not block the event loop: run it on a worker thread.
        return await anyio.to_thread.run_sync(lambda: method(**kwargs))

    async def call(self, ctx: Context[Any, Any], tool_name: str, /, **arguments: Any) -> Any:
        """Run a tool for an MCP request; every failure becomes a tool error result."""
        progress = Progress(ctx.report_progress) if ctx is not None else Progress()
        try:
            return await self.invoke(tool_name, arguments, progress=progress, scope=self.scope_for(ctx))
        except AtomsError as error:
            logger.info("tool %s failed: %s", tool_name, error.code)
            return error_result(error)
        except Exception:
            # The only catch-all: log the traceback here, send the client nothing of it.
            logger.exception("tool %s crashed", tool_name)
            return error_result(
                AtomsError(f"tool {tool_name} failed unexpectedly; the server log has details")
            )
