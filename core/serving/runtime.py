"""Between MCP and a muscle: the runtime holds the process's muscle, injects what a tool asks
for by annotation (``Progress``, ``Scope``, ``Workspace``) and calls it. Generated ``mcp.py``
files call :meth:`MuscleRuntime.call` and nothing else; failures propagate to the one error
boundary, :class:`core.serving.server.MuscleServer`."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server.mcpserver import Context

from core.contract import Muscle, injected_parameters, tool_options
from core.errors import UnknownTool
from core.governance import complexity_of
from core.jobs import JobEngine
from core.media.store import MediaStore
from core.media.workspace import WORK_DIR, BlockingWorkspace, Workspace
from core.metering import add_cpu_seconds
from core.progress import Progress
from core.scope import Scope
from core.serving.caller import Caller, caller_of_request
from core.serving.host import MuscleHost
from core.serving.http_auth import local_caller
from core.serving.job_tools import JOB_TOOL_HINTS, JobTools
from core.settings import Settings, load_settings

if TYPE_CHECKING:
    from core.serving.server import MuscleServer

__all__ = ["MuscleRuntime"]

logger = logging.getLogger(__name__)


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
        self._store: MediaStore | None = None
        self._jobs: JobEngine | None = None
        self._host: MuscleHost | None = None
        self._server: MuscleServer | None = None
        self._local: Caller | None = None
        self._own_host = False  # made here (no serving entry point attached one): stopped here
        # The muscle's name is its folder's: muscles/<category>/<name>/service.py.
        self.job_tools = JobTools(
            muscle_class, muscle_class.__module__.split(".")[-2], lambda: self.jobs, lambda: self.store
        )

    def configure(
        self, settings: Settings, *, clock: Callable[[], float] | None = None, store: MediaStore | None = None
    ) -> None:
        """Use ``settings`` (read once at start by the serving entry point) and, in tests, a
        clock and a media store over a storage of their own."""
        if self._muscle is not None:
            raise RuntimeError("configure() must come before the muscle is created")
        self._settings = settings
        self._local = None
        if clock is not None:
            self._clock = clock
        self._store = store

    @property
    def store(self) -> MediaStore:
        """The media store workspaces read and publish through, built once per process."""
        if self._store is None:
            self._store = MediaStore.from_settings(self.settings, clock=self._clock)
        return self._store

    def bind(self, server: MuscleServer) -> None:
        """The MCP server of this muscle (it runs approved proposals through it)."""
        self._server = server

    def attach(self, host: MuscleHost) -> None:
        """Share ``host`` (the serving process's ledger, quotas and governance) with this muscle."""
        self._host = host
        self._own_host = False
        host.mount(self.name, self.complexity, self._server)

    @property
    def host(self) -> MuscleHost:
        """The serving process's host; a runtime served without one makes its own."""
        if self._host is None:
            self.attach(MuscleHost(self.settings, clock=self._clock))
            self._own_host = True
        assert self._host is not None
        return self._host

    def complexity(self, tool_name: str) -> int:
        """The governance complexity (1-4) of one of this muscle's tools, from its annotations
        (the same derivation the gateway makes from the MuscleSpec: core.governance.levels)."""
        if tool_name in JOB_TOOL_HINTS:
            hints = JOB_TOOL_HINTS[tool_name]
            return complexity_of(
                read_only=hints.get("read_only", False),
                destructive=hints.get("destructive", False),
                streams=False,
            )
        submitted = self.job_tools.submitted(tool_name) if self.job_tools.handles(tool_name) else None
        method = self._method(submitted or tool_name)
        options = tool_options(method)
        assert options is not None
        if submitted is not None:  # submit_<tool>: a job, never read-only (as the sentinel declares it)
            return complexity_of(read_only=False, destructive=options.destructive, streams=True)
        streams = options.job or "progress" in injected_parameters(method).values()
        return complexity_of(read_only=options.read_only, destructive=options.destructive, streams=streams)

    def queues_jobs(self, tool_name: str) -> bool:
        """True when the tool queues jobs itself (``@tool(queues_jobs=True)``, a batch)."""
        options = tool_options(getattr(self.muscle_class, tool_name, None))
        return options is not None and options.queues_jobs

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
            if self._jobs is not None:
                await self._jobs.close()  # the data dir's daemon goes on: jobs outlive this process
                self._jobs = None
            if self._own_host and self._host is not None:
                await self._host.stop()  # its ledger writer writes what waits
            if self._server is not None and self._server.tasks is not None:
                await self._server.tasks.close()  # the task table's connection (tasks stay in it)

    @asynccontextmanager
    async def lifespan(self, _server: object) -> AsyncIterator[None]:
        # The SDK enters this once per session; startup is per process, so only start here.
        await self.start()
        yield

    @property
    def name(self) -> str:
        """The muscle's name: its folder's (muscles/<category>/<name>/service.py)."""
        return self.job_tools.name

    def caller_for(self, ctx: Context[Any, Any] | None) -> Caller:
        """The caller of an MCP request: the verified HTTP caller, else the configured tenant."""
        request = None
        if ctx is not None:
            try:
                request = ctx.request_context.request
            except ValueError:
                request = None
        return self.caller_of(request)

    def caller_of(self, request: object) -> Caller:
        """The caller of a transport request (a Starlette request over HTTP, None on stdio)."""
        if self._local is None:  # the settings never change once the muscle exists
            self._local = local_caller(self.settings)
        return caller_of_request(request, self._local)

    def scope_for(self, ctx: Context[Any, Any] | None) -> Scope:
        """The caller's scope: the verified HTTP tenant, else the configured one (stdio)."""
        return self.caller_for(ctx).scope

    @property
    def jobs(self) -> JobEngine:
        """The job engine of this process's data dir, made on first use."""
        if self._jobs is None:
            self._jobs = JobEngine(self.settings, clock=self._clock)
        return self._jobs

    def _method(self, tool_name: str) -> Callable[..., Any]:
        method = getattr(self.muscle_class, tool_name, None)
        if method is None or tool_options(method) is None:
            raise UnknownTool(f"{self.muscle_class.__name__} has no tool {tool_name!r}", value=tool_name)
        return method  # type: ignore[no-any-return]

    async def invoke(
        self,
        tool_name: str,
        arguments: dict[str, Any],
        *,
        progress: Progress,
        scope: Scope,
        actor: str | None = None,
    ) -> Any:
        """Call a tool directly (no MCP): errors propagate as raised. ``actor`` is recorded on
        the jobs the call submits."""
        await self.start()
        if self.job_tools.handles(tool_name):
            submitted = self.job_tools.submitted(tool_name)
            if submitted is None:
                return await self.job_tools.call(tool_name, arguments, scope)
            check = tool_options(self._method(submitted)).check  # type: ignore[union-attr]
            if check is not None:
                await self._run(check, arguments, progress=progress, scope=scope)
            return await self.job_tools.submit(submitted, arguments, scope, actor=actor)
        return await self._run(self._method(tool_name), arguments, progress=progress, scope=scope)

    async def _run(
        self, function: Callable[..., Any], arguments: dict[str, Any], *, progress: Progress, scope: Scope
    ) -> Any:
        """``function`` (a tool, or its check) of this muscle, with what it asks for injected."""
        injected = self._injected.get(function.__qualname__)
        if injected is None:
            injected = self._injected[function.__qualname__] = injected_parameters(function)
        workspace = None
        if "workspace" in injected.values():
            # Inside a tool call, anyio's check tells a cancelled call from a running one.
            workspace = BlockingWorkspace(
                self.store,
                scope,
                self.settings.data_dir / WORK_DIR,
                check_cancelled=anyio.from_thread.check_cancelled,
            )
        values = {
            "progress": progress,
            "scope": scope,
            "workspace": Workspace(workspace) if workspace else None,
        }
        kwargs = {**arguments, **{name: values[kind] for name, kind in injected.items()}}
        try:
            if inspect.iscoroutinefunction(function):
                return await function(self.muscle, **kwargs)
            # A sync tool must not block the event loop: run it on a worker thread (whose CPU
            # time is the call's).
            return await anyio.to_thread.run_sync(lambda: _thread_metered(function, self.muscle, kwargs))
        finally:
            if workspace is not None:
                workspace.close()  # its folder goes, on success, failure and cancellation alike

    async def call(self, ctx: Context[Any, Any], tool_name: str, /, **arguments: Any) -> Any:
        """Run a tool for an MCP request; failures propagate to the server's error boundary."""
        progress = Progress(ctx.report_progress) if ctx is not None else Progress()
        caller = self.caller_for(ctx)
        return await self.invoke(
            tool_name, arguments, progress=progress, scope=caller.scope, actor=caller.actor
        )


def _thread_metered(function: Callable[..., Any], muscle: Muscle, kwargs: dict[str, Any]) -> Any:
    started = time.thread_time()
    try:
        return function(muscle, **kwargs)
    finally:
        add_cpu_seconds(time.thread_time() - started)
