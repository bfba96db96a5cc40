"""The gateway's ASGI app: routes, error envelopes, health and metrics, and its lifespan."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from core.errors import AtomsError
from gateway.commands import chat_send, send_command
from gateway.context import GatewayContext
from gateway.metrics import CONTENT_TYPE_LATEST
from gateway.publish import publish_canvas_event, publish_run_event
from gateway.settings import GatewayConfig
from gateway.sidecars import resolve_sidecar
from gateway.spine import Spine, open_spine
from gateway.sse import subscribe_canvas, subscribe_run
from gateway.streams import SCOPE_PATH
from gateway.ws import Rooms, issue_ticket, websocket_endpoint

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

CANVAS = SCOPE_PATH + "/canvases/{canvas_id}"
RUN = SCOPE_PATH + "/runs/{run_id}"


def _error_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AtomsError)
    ctx: GatewayContext = request.app.state.ctx
    ctx.metrics.rejected.labels(exc.code).inc()
    headers = {"WWW-Authenticate": 'Bearer realm="atoms-gateway"'} if exc.http_status == 401 else None
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.http_status, headers=headers)


def _unexpected(request: Request, exc: Exception) -> Response:
    # The one boundary for surprises: logged with the traceback, answered without internals.
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    body = AtomsError("the gateway hit an unexpected error").to_dict()
    return JSONResponse({"error": body}, status_code=500)


def create_app(
    config: GatewayConfig, *, spine: Spine | None = None, clock: Callable[[], float] = time.monotonic
) -> Starlette:
    """The gateway app on ``spine`` (default: the one the settings name, opened by the lifespan)."""
    ctx = GatewayContext(config, spine if spine is not None else open_spine(config.settings), clock=clock)

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
        Route(RUN + "/events", subscribe_run, methods=["GET"]),
        Route(RUN + "/events", publish_run_event, methods=["POST"]),
        WebSocketRoute("/v1/ws", websocket_endpoint),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={AtomsError: _error_response, Exception: _unexpected},
    )
    app.state.ctx = ctx
    app.state.rooms = Rooms()
    return app
