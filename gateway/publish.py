"""Agents (and canvases) publish events to a stream: checked, lensed, appended to the spine
(whose retention applies to every append: :class:`gateway.spine.RetainedSpine`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.context import GatewayContext
from gateway.envelopes import EventIn
from gateway.identity import Actor
from gateway.streams import StreamAddress, StreamKind

__all__ = ["publish_canvas_event", "publish_run_event", "stored_payload"]


def stored_payload(actor: Actor, data: dict[str, Any], sidecars: list[Any]) -> dict[str, Any]:
    return {
        "data": data,
        "sidecars": [s.model_dump(mode="json") for s in sidecars],
        "actor": actor.public(),
    }


async def append_event(ctx: GatewayContext, actor: Actor, address: StreamAddress, event: EventIn) -> int:
    data = dict(event.data)
    ctx.lens(actor).check_write(event.type, data)
    stored = await ctx.spine.append(
        address.key, address.tenant_id, event.type, stored_payload(actor, data, event.sidecars)
    )
    ctx.metrics.events_in.labels(event.type).inc()
    return stored.seq


async def _publish(request: Request, kind: StreamKind) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, kind)
    event = await ctx.envelope(request, EventIn)
    seq = await append_event(ctx, actor, address, event)
    return JSONResponse({"id": seq, "type": event.type}, status_code=201)


async def publish_canvas_event(request: Request) -> JSONResponse:
    return await _publish(request, "canvas")


async def publish_run_event(request: Request) -> JSONResponse:
    return await _publish(request, "run")
