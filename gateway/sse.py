"""Downstream SSE: one stream per canvas (and per run), resumable by Last-Event-ID.

Order of a subscription: optional ``stream_ready`` (a fresh connection learns the head as its
cursor) or ``resync_required`` (a cursor older than retention, carrying the latest snapshot),
then a catch-up from the spine, then live events from the hub. Ids are the spine's per-stream
sequence numbers, so they strictly increase and a resume skips nothing and repeats nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from core.errors import InvalidInput
from gateway.context import GatewayContext
from gateway.hub import Subscription
from gateway.lenses import Lens
from gateway.spine import SpineEvent
from gateway.streams import StreamAddress, StreamKind

__all__ = ["subscribe_canvas", "subscribe_run", "wire_event"]

_BATCH = 500
CURSOR_QUERY_NAMES = ("last_event_id", "lastEventId", "Last-Event-ID")


def wire_event(event: SpineEvent) -> dict[str, Any]:
    """The JSON a subscriber receives as an event's data (before its lens is applied)."""
    payload = event.payload
    return {
        "id": event.seq,
        "type": event.type,
        "data": payload.get("data", {}),
        "sidecars": payload.get("sidecars", []),
        "actor": payload.get("actor"),
        "created_at": event.created_at,
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_cursor(request: Request) -> int | None:
    """Last-Event-ID from the header, or from the query for clients that cannot set headers."""
    raw = request.headers.get("last-event-id")
    if raw is None:
        raw = next((request.query_params[n] for n in CURSOR_QUERY_NAMES if n in request.query_params), None)
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "":
        return None  # WHATWG: an empty id resets the cursor
    if not raw.isdigit():
        raise InvalidInput(
            "Last-Event-ID is not an event id", value=raw, hint="Send back the id of the last event received."
        )
    return int(raw)


class _Relay:
    """One subscriber's generator state."""

    def __init__(self, ctx: GatewayContext, address: StreamAddress, lens: Lens, subscription: Subscription):
        self.ctx = ctx
        self.shutdown = anyio.Event()  # set by sse-starlette when the server begins to stop
        self.spine = ctx.spine
        self.key = address.key
        self.lens = lens
        self.subscription = subscription
        self.cursor = 0

    def _send(self, event: SpineEvent) -> ServerSentEvent:
        self.cursor = event.seq
        self.ctx.metrics.events_out.inc()
        self.ctx.metrics.relay_latency.observe(max(0.0, time.time() - event.created_at))
        return ServerSentEvent(
            data=_dumps(self.lens.view(wire_event(event))), event=event.type, id=str(event.seq)
        )

    async def _catch_up(self, until: int | None = None) -> AsyncIterator[ServerSentEvent]:
        while True:
            batch = await self.spine.read_after(self.key, self.cursor, _BATCH)
            for event in batch:
                if until is not None and event.seq > until:
                    return
                yield self._send(event)
            if len(batch) < _BATCH:
                return

    async def _opening(self, cursor: int | None) -> AsyncIterator[ServerSentEvent]:
        head = await self.spine.head(self.key)
        if cursor is None:
            self.cursor = head
            yield ServerSentEvent(data=_dumps({"head": head}), event="stream_ready", id=str(head))
            return
        self.ctx.metrics.resumes.inc()
        first = await self.spine.first_retained(self.key)
        lost = cursor > head or (first > 0 and cursor < first - 1)
        if not lost:
            self.cursor = cursor
            return
        self.ctx.metrics.resyncs.inc()
        snapshot = await self._latest_snapshot(first)
        self.cursor = snapshot.seq if snapshot is not None else max(first - 1, 0)
        body = {
            "reason": "cursor_ahead_of_stream" if cursor > head else "cursor_older_than_retention",
            "cursor": cursor,
            "first_retained": first,
            "head": head,
            "snapshot": self.lens.view(wire_event(snapshot)) if snapshot is not None else None,
        }
        yield ServerSentEvent(data=_dumps(body), event="resync_required", id=str(self.cursor))

    async def _latest_snapshot(self, first: int) -> SpineEvent | None:
        # Rare path (only resyncs): scan what is retained for the newest snapshot_created.
        latest, after = None, max(first - 1, 0)
        while True:
            batch = await self.spine.read_after(self.key, after, _BATCH)
            latest = next((e for e in reversed(batch) if e.type == "snapshot_created"), latest)
            if len(batch) < _BATCH:
                return latest
            after = batch[-1].seq

    async def _next(self) -> SpineEvent | None:
        queue = self.subscription.queue
        if not queue.empty():
            return queue.get_nowait()
        getter = asyncio.ensure_future(queue.get())
        stopper = asyncio.ensure_future(self.shutdown.wait())
        try:
            await asyncio.wait((getter, stopper), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not getter.done():
                getter.cancel()
        return getter.result() if getter.done() and not getter.cancelled() else None

    async def events(self, cursor: int | None) -> AsyncIterator[ServerSentEvent]:
        hubs = self.ctx.hubs
        async for item in self._opening(cursor):
            yield item
        async for item in self._catch_up():
            yield item
        hub = await hubs.acquire(self.key)
        gauge = self.ctx.metrics.subscribers.labels(self.key.split("/", 1)[0])
        gauge.inc()
        try:
            hub.subscribers.add(self.subscription)
            # Close the gap between the catch-up and joining the hub.
            async for item in self._catch_up():
                yield item
            while True:
                event = await self._next()
                if event is None:
                    return  # shutting down: end the response cleanly, the client resumes elsewhere
                if event.seq <= self.cursor:
                    continue
                if event.seq > self.cursor + 1:
                    async for item in self._catch_up(until=event.seq - 1):
                        yield item
                yield self._send(event)
        finally:
            gauge.dec()
            await hubs.release(hub, self.subscription)


class RelayResponse(EventSourceResponse):
    """An EventSourceResponse that hangs up when its subscriber was dropped for being slow."""

    def __init__(self, relay: _Relay, cursor: int | None, ping_s: float, grace_s: float):
        super().__init__(
            relay.events(cursor),
            ping=ping_s,
            headers={"X-Accel-Buffering": "no"},
            shutdown_event=relay.shutdown,
            shutdown_grace_period=grace_s,
        )
        self.subscription = relay.subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:

            async def cut_when_dropped() -> None:
                await self.subscription.dropped.wait()
                group.cancel_scope.cancel()

            group.start_soon(cut_when_dropped)
            await super().__call__(scope, receive, send)
            group.cancel_scope.cancel()


async def _subscribe(request: Request, kind: StreamKind) -> RelayResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, kind)
    lens = ctx.lens(actor)
    cursor = parse_cursor(request)
    subscription = Subscription(ctx.config.options.queue_limit)
    relay = _Relay(ctx, address, lens, subscription)
    options = ctx.config.options
    return RelayResponse(relay, cursor, options.ping_s, min(1.0, options.shutdown_grace_s))


async def subscribe_canvas(request: Request) -> RelayResponse:
    return await _subscribe(request, "canvas")


async def subscribe_run(request: Request) -> RelayResponse:
    return await _subscribe(request, "run")
