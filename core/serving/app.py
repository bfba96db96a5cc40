"""Serving muscles: stdio, or one HTTP app mounting one or many muscles with health and /media."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from core.errors import AtomsError, ConfigError
from core.observability import configure_logging
from core.observability.metrics import CONTENT_TYPE_LATEST
from core.serving.governance_routes import governance_routes
from core.serving.host import MuscleHost
from core.serving.housekeeping import Housekeeper
from core.serving.http_auth import BearerAuth, callers_of, local_caller
from core.serving.request_ids import RequestIds
from core.serving.runtime import MuscleRuntime
from core.serving.server import MuscleServer
from core.settings import Settings, is_loopback, load_host_settings
from core.storage import LocalStorage, media_routes, open_storage

__all__ = [
    "MountedMuscle",
    "build_http_app",
    "check_bind",
    "configure_logging",
    "load_serving_settings",
    "run_cli",
    "serve_http",
    "serve_in_process",
    "serve_stdio",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MountedMuscle:
    name: str
    server: MuscleServer
    runtime: MuscleRuntime


def freeze_startup_heap() -> None:
    """Move everything loaded at start-up out of the garbage collector's sight.

    Imports and models leave ~100k long-lived objects; without this, the first full
    collection during serving pauses a call for 50-150 ms (measured in bench/mcp_roundtrip.py).
    """
    gc.collect()
    gc.freeze()


def check_bind(host: str, settings: Settings) -> None:
    """Refuse to listen beyond loopback without bearer tokens."""
    if not is_loopback(host) and not settings.auth_tokens:
        raise ConfigError(
            f"binding {host} requires authentication",
            value=host,
            hint='Set ATOMS_AUTH_TOKENS=\'{"<tenant>": "<token>"}\' or bind 127.0.0.1.',
        )


def build_http_app(
    muscles: Sequence[MountedMuscle],
    settings: Settings,
    *,
    single: bool = False,
    host: MuscleHost | None = None,
) -> Starlette:
    """One ASGI app: each muscle at ``/<name>/mcp`` (or ``/mcp`` when ``single``), plus health and
    /media; ``host`` (the ledger writer and quotas every muscle shares) is made from the settings
    unless given."""
    storage = open_storage(settings)
    routes: list[BaseRoute] = []
    host = host or MuscleHost(settings)  # one ledger writer, quotas and governance for every muscle
    for muscle in muscles:
        muscle.runtime.attach(host)

    async def live(_: Request) -> JSONResponse:
        return JSONResponse({"status": "live"})

    async def ready(_: Request) -> JSONResponse:
        """200 when storage, the job engine and the usage ledger answer; else 503 naming each
        that did not (``problems``: what -> why), with no detail that names a host or a path."""
        problems: dict[str, str] = {}
        try:
            await anyio.to_thread.run_sync(storage.ping)
        except AtomsError as exc:
            problems["storage"] = exc.code
        for name, check in (("jobs", host.check_jobs), ("ledger", host.check_ledger)):
            try:
                await anyio.to_thread.run_sync(check)
            except Exception as exc:  # noqa: BLE001 - a readiness probe reports, never raises
                logger.warning("readiness: %s failed: %s", name, type(exc).__name__)
                problems[name] = type(exc).__name__
        for muscle in muscles:
            if not muscle.runtime.started:
                problems[muscle.name] = "not started"
        status = 503 if problems else 200
        return JSONResponse(
            {"status": "ready" if not problems else "not ready", "problems": problems}, status
        )

    async def metrics(_: Request) -> Response:
        body = await anyio.to_thread.run_sync(host.metrics.render)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    routes += [Route("/health/live", live), Route("/health/ready", ready), Route("/metrics", metrics)]
    routes += governance_routes(host, local_caller(settings))
    if isinstance(storage, LocalStorage):
        routes += media_routes(storage, max_bytes=settings.max_asset_bytes)
    for muscle in muscles:  # last: a single muscle is mounted at the root
        app = muscle.server.streamable_http_app(
            streamable_http_path="/mcp", stateless_http=settings.http_stateless, host=settings.http_host
        )
        routes.append(Mount("" if single else f"/{muscle.name}", app=app))

    housekeeper = Housekeeper(settings, storage)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Mounted apps' own lifespans do not run: start every session manager and muscle here.
        async with contextlib.AsyncExitStack() as stack:
            await housekeeper.sweep_now()  # what a killed process left goes before serving starts
            housekeeping = await stack.enter_async_context(anyio.create_task_group())
            housekeeping.start_soon(housekeeper.run_periodically)
            stack.callback(housekeeping.cancel_scope.cancel)
            await host.start()
            stack.push_async_callback(host.stop)  # after the muscles: their last records are written
            for muscle in muscles:
                await stack.enter_async_context(muscle.server.session_manager.run())
                await muscle.runtime.start()
                stack.push_async_callback(muscle.runtime.stop)
            freeze_startup_heap()
            yield

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.housekeeper = housekeeper
    app.state.host = host
    app.add_middleware(BearerAuth, callers=callers_of(settings), default=local_caller(settings))
    app.add_middleware(RequestIds)  # outermost: a refused request has its id too
    return app


def load_serving_settings(
    host: str | None = None, port: int | None = None, *, log_level: str | None = None
) -> Settings:
    """Settings for a serving process (command-line options win), with logging set up."""
    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["http_host"] = host
    if port is not None:
        overrides["http_port"] = port
    if log_level is not None:
        overrides["log_level"] = log_level
    settings = load_host_settings(**overrides)
    configure_logging(settings.log_level, settings.log_style)
    return settings


def serve_http(muscles: Sequence[MountedMuscle], settings: Settings, *, single: bool = False) -> None:
    """Serve ``muscles`` over streamable HTTP until interrupted; refuses an unsafe bind first."""
    check_bind(settings.http_host, settings)
    for muscle in muscles:
        muscle.runtime.configure(settings)
    app = build_http_app(muscles, settings, single=single)
    paths = "/mcp" if single else "/<name>/mcp"
    logger.info(
        "serving %s on http://%s:%s%s",
        ", ".join(m.name for m in muscles),
        settings.http_host,
        settings.http_port,
        paths,
    )
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        log_config=None,
    )


def run_cli(server: MuscleServer, runtime: MuscleRuntime, argv: Sequence[str] | None = None) -> None:
    """The ``main`` of every generated mcp.py: serve over stdio (default) or HTTP."""
    parser = argparse.ArgumentParser(prog=f"{server.name} (MCP server)", description=server.instructions)
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    parser.add_argument("--host", default=None, help="HTTP bind address (default ATOMS_HTTP_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default ATOMS_HTTP_PORT, 8700)")
    args = parser.parse_args(argv)
    try:
        settings = load_serving_settings(args.host, args.port)
        if args.transport == "stdio":
            runtime.configure(settings)
            serve_stdio(server, runtime)
        else:
            serve_http([MountedMuscle(server.name, server, runtime)], settings, single=True)
    except AtomsError as error:
        sys.stderr.write(f"error: {error}\n")
        raise SystemExit(2) from None


@contextlib.asynccontextmanager
async def serve_in_process(
    server: MuscleServer, runtime: MuscleRuntime, settings: Settings
) -> AsyncIterator[MuscleServer]:
    """The muscle ready for an in-memory client in this process (``Client(server)``), swept
    at start like a stdio server and stopped after: what ``muscle call`` uses."""
    runtime.configure(settings)
    await Housekeeper(settings, open_storage(settings)).sweep_now()
    try:
        yield server
    finally:
        await runtime.stop()


def serve_stdio(server: MuscleServer, runtime: MuscleRuntime) -> None:
    housekeeper = Housekeeper(runtime.settings, open_storage(runtime.settings))

    async def main() -> None:
        try:
            await housekeeper.sweep_now()
            async with anyio.create_task_group() as housekeeping:
                housekeeping.start_soon(housekeeper.run_periodically)
                await runtime.start()
                freeze_startup_heap()
                await server.run_stdio_async()
                housekeeping.cancel_scope.cancel()
        finally:
            await runtime.stop()

    anyio.run(main)
