"""The gateway's ASGI app: routes, error envelopes, health and metrics, and its lifespan."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from core.errors import AtomsError, InvalidInput
from gateway.browser import GatewayCors
from gateway.canvas.catalog import ToolCatalog
from gateway.canvas.manifest import ToolGate, maturity_gate
from gateway.canvas_routes import read_snapshot, read_state, take_snapshot
from gateway.commands import chat_send, send_command
from gateway.context import GatewayContext
from gateway.errors import MethodNotAllowed, RouteNotFound
from gateway.lenses import DEFAULT_LENSES, Lens
from gateway.metrics import CONTENT_TYPE_LATEST
from gateway.publish import publish_canvas_event, publish_run_event
from gateway.settings import GatewayConfig
from gateway.sidecars import resolve_sidecar
from gateway.spine import Spine, open_spine
from gateway.sse import subscribe_canvas, subscribe_chat_thread, subscribe_run
from gateway.static_files import static_file, viewer_redirect
from gateway.streams import SCOPE_PATH
from gateway.ws import (
    Rooms,
    chat_websocket_endpoint,
    issue_chat_ticket,
    issue_ticket,
    websocket_endpoint,
)

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

CANVAS = SCOPE_PATH + "/canvases/{canvas_id}"
RUN = SCOPE_PATH + "/runs/{run_id}"


def _error_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AtomsError)
    ctx: GatewayContext = request.app.state.ctx
    ctx.metrics.rejected.labels(exc.code).inc()
    headers = {"WWW-Authenticate": 'Bearer realm="atoms-gateway"'} if exc.http_status == 401 else None
    body = exc.to_dict()
    if exc.http_status >= 500:
        # The gateway's own trouble (a store unreachable): its details name hosts and paths, so
        # they go to the log; the caller gets the code and what to do.
        logger.warning("%s %s failed: %s", request.method, request.url.path, exc)
        body = {"code": exc.code, "message": "the gateway cannot serve this right now", "hint": exc.hint}
    return JSONResponse({"error": body}, status_code=exc.http_status, headers=headers)


def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, wrong method) as coded errors too."""
    assert isinstance(exc, HTTPException)
    error: AtomsError
    if exc.status_code == 404:
        error = RouteNotFound("no such route", value=request.url.path)
    elif exc.status_code == 405:
        error = MethodNotAllowed(f"{request.method} is not allowed here", value=request.method)
    else:
        error = InvalidInput(exc.detail)
    return JSONResponse({"error": error.to_dict()}, status_code=exc.status_code, headers=exc.headers)


def _unexpected(request: Request, exc: Exception) -> Response:
    # The one boundary for surprises: logged with the traceback, answered without internals.
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    body = AtomsError("the gateway hit an unexpected error").to_dict()
    return JSONResponse({"error": body}, status_code=500)


def create_app(
    config: GatewayConfig,
    *,
    spine: Spine | None = None,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], float] = time.time,
    lenses: Mapping[str, Lens] = DEFAULT_LENSES,
    catalog: ToolCatalog | None = None,
    tool_gate: ToolGate = maturity_gate,
) -> Starlette:
    """The gateway app on ``spine`` (default: the one the settings name, opened by the lifespan).

    ``clock`` (monotonic) and ``now`` (epoch seconds) are the gateway's time; ``lenses`` its roles;
    ``catalog`` where canvas tool buttons come from (default: the one the settings name) and
    ``tool_gate`` which of them an actor may have (by default its maturity's rule).
    """
    ctx = GatewayContext(
        config,
        spine if spine is not None else open_spine(config.options.database_url, config.settings.data_dir),
        clock=clock,
        now=now,
        lenses=dict(lenses),
        catalog=catalog,
        tool_gate=tool_gate,
    )

    async def live(_: Request) -> JSONResponse:
        return JSONResponse({"status": "live"})

    async def ready(_: Request) -> JSONResponse:
        try:
            await ctx.spine.ping()
        except AtomsError as exc:
            return JSONResponse({"status": "not ready", "problems": {"spine": exc.code}}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def metrics(_: Request) -> Response:
        return Response(ctx.metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await ctx.spine.open()
        try:
            yield
        finally:
            await ctx.hubs.close()
            await ctx.spine.close()

    routes = [
        Route("/health/live", live),
        Route("/health/ready", ready),
        Route("/metrics", metrics),
        Route(CANVAS + "/events", subscribe_canvas, methods=["GET"]),
        Route(CANVAS + "/events", publish_canvas_event, methods=["POST"]),
        Route(CANVAS + "/commands", send_command, methods=["POST"]),
        Route(CANVAS + "/chat", chat_send, methods=["POST"]),
        Route(CANVAS + "/sidecars/resolve", resolve_sidecar, methods=["POST"]),
        Route(CANVAS + "/ws-ticket", issue_ticket, methods=["POST"]),
        Route(CANVAS + "/state", read_state, methods=["GET"]),
        Route(CANVAS + "/snapshots", take_snapshot, methods=["POST"]),
        Route(CANVAS + "/snapshots/{revision}", read_snapshot, methods=["GET"]),
        Route(RUN + "/events", subscribe_run, methods=["GET"]),
        Route(RUN + "/events", publish_run_event, methods=["POST"]),
        WebSocketRoute("/v1/ws", websocket_endpoint),
        # The platform UI transport's paths: the chat thread is the canvas, the rest of the
        # scope comes from the token's pins.
        Route("/sse/chat/{thread_id}", subscribe_chat_thread, methods=["GET"]),
        Route("/ws/chat/{thread_id}/ticket", issue_chat_ticket, methods=["POST"]),
        WebSocketRoute("/ws/chat/{thread_id}", chat_websocket_endpoint),
        Route("/ui", viewer_redirect, methods=["GET"]),
        Route("/ui/{name}", static_file, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(GatewayCors, allowed_origins=config.options.allowed_origins)],
        lifespan=lifespan,
        exception_handlers={AtomsError: _error_response, HTTPException: _http_error, Exception: _unexpected},
    )
    app.state.ctx = ctx
    app.state.rooms = Rooms()
    return app
