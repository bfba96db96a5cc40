"""Agents (and canvases) publish events to a stream: checked, lensed, appended to the spine
(whose retention applies to every append: :class:`gateway.spine.RetainedSpine`).

Patches are not relayed: a ``state_patch`` or ``token_patch`` is applied to the canvas's state
and the gateway publishes the ``canvas_commit`` (201, or 200 with ``Idempotent-Replayed`` when
its idempotency key already made one); ``CANVAS_READY`` creates the canvas with its type.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.canvas.patches import PATCH_KINDS, parse_patch
from gateway.context import GatewayContext
from gateway.envelopes import EventIn
from gateway.errors import InvalidEnvelope
from gateway.identity import Actor
from gateway.streams import StreamAddress, StreamKind

__all__ = ["publish_canvas_event", "publish_run_event", "stored_payload"]

_CANVAS_ONLY = (*PATCH_KINDS, "CANVAS_READY")


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


async def _canvas_event(
    ctx: GatewayContext, actor: Actor, address: StreamAddress, event: EventIn
) -> JSONResponse:
    data = dict(event.data)
    ctx.lens(actor).check_write(event.type, data)
    ctx.metrics.events_in.labels(event.type).inc()
    if event.type == "CANVAS_READY":
        outcome = await ctx.canvas.declare(actor, address, data)
        assert outcome.write is not None
        body = {"id": outcome.seq, "type": "CANVAS_READY", "revision": outcome.write.revision}
        return JSONResponse(body, status_code=201)
    sidecars = [s.model_dump(mode="json") for s in event.sidecars]
    reply = await ctx.canvas.commit(actor, address, parse_patch(event.type, data), sidecars)
    if reply.replayed:
        return JSONResponse(reply.body(), status_code=200, headers={"Idempotent-Replayed": "true"})
    ctx.metrics.commits.inc()
    return JSONResponse(reply.body(), status_code=201)


async def _publish(request: Request, kind: StreamKind) -> JSONResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, kind)
    event = await ctx.envelope(request, EventIn)
    if event.type in _CANVAS_ONLY:
        if kind != "canvas":
            raise InvalidEnvelope(
                f"{event.type} acts on canvas state: publish it to a canvas stream", value=event.type
            )
        return await _canvas_event(ctx, actor, address, event)
    seq = await append_event(ctx, actor, address, event)
    return JSONResponse({"id": seq, "type": event.type}, status_code=201)


async def publish_canvas_event(request: Request) -> JSONResponse:
    return await _publish(request, "canvas")


async def publish_run_event(request: Request) -> JSONResponse:
    return await _publish(request, "run")
