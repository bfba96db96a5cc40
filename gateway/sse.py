"""Downstream SSE: one stream per canvas (and per run), resumable by Last-Event-ID.

Order of a subscription: optional ``stream_ready`` (a fresh connection learns the head as its
cursor) or ``resync_required`` (a cursor older than retention, carrying the latest snapshot the
reader's lens may see), then a catch-up from the spine, then live events from the hub. Ids are
the spine's per-stream sequence numbers, so they strictly increase and a resume skips nothing
and repeats nothing; events the lens hides are skipped, the rest are sent as the lens sees them.

A stream lives no longer than the token that opened it: at its ``exp`` the relay sends
``token_expired`` (no id, so the client's cursor stays) and ends; the client reconnects with a
fresh token and its Last-Event-ID and resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import anyio
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from gateway.context import GatewayContext
from gateway.hub import Subscription
from gateway.lenses import Lens
from gateway.spine import SpineEvent
from gateway.sse_wire import dumps, parse_cursor, wire_event
from gateway.streams import StreamAddress, StreamKind

__all__ = ["subscribe_canvas", "subscribe_run"]

_BATCH = 500


class _Relay:
    """One subscriber's generator state."""

    def __init__(
        self,
        ctx: GatewayContext,
        address: StreamAddress,
        lens: Lens,
        subscription: Subscription,
        expires_at: float | None,
    ):
        self.ctx = ctx
        self.shutdown = anyio.Event()  # set by sse-starlette when the server begins to stop
        self.spine = ctx.spine
        self.key = address.key
        self.lens = lens
        self.subscription = subscription
        self.expires_at = expires_at
        self.cursor = 0

    def _remaining_s(self) -> float | None:
        return None if self.expires_at is None else self.expires_at - self.ctx.now()

    def _expired(self) -> bool:
        remaining = self._remaining_s()
        return remaining is not None and remaining <= 0

    def _send(self, event: SpineEvent) -> ServerSentEvent | None:
        """The event as the lens sees it, or None when it hides it (the cursor moves on either way)."""
        self.cursor = event.seq
        seen = self.lens.view(wire_event(event))
        if seen is None:
            return None
        self.ctx.metrics.events_out.inc()
        self.ctx.metrics.relay_latency.observe(max(0.0, time.time() - event.created_at))
        return ServerSentEvent(data=dumps(seen), event=event.type, id=str(event.seq))

    async def _catch_up(self, until: int | None = None) -> AsyncIterator[ServerSentEvent]:
        while True:
            batch = await self.spine.read_after(self.key, self.cursor, _BATCH)
            for event in batch:
                if until is not None and event.seq > until:
                    return
                item = self._send(event)
                if item is not None:
                    yield item
            if len(batch) < _BATCH:
                return

    async def _opening(self, cursor: int | None) -> AsyncIterator[ServerSentEvent]:
        head = await self.spine.head(self.key)
        if cursor is None:
            self.cursor = head
            yield ServerSentEvent(data=dumps({"head": head}), event="stream_ready", id=str(head))
            return
        self.ctx.metrics.resumes.inc()
        first = await self.spine.first_retained(self.key)
        lost = cursor > head or (first > 0 and cursor < first - 1)
        if not lost:
            self.cursor = cursor
            return
        self.ctx.metrics.resyncs.inc()
        found = await self._latest_visible_snapshot(first)
        self.cursor = found[0] if found is not None else max(first - 1, 0)
        body = {
            "reason": "cursor_ahead_of_stream" if cursor > head else "cursor_older_than_retention",
            "cursor": cursor,
            "first_retained": first,
            "head": head,
            "snapshot": found[1] if found is not None else None,
        }
        yield ServerSentEvent(data=dumps(body), event="resync_required", id=str(self.cursor))

    async def _latest_visible_snapshot(self, first: int) -> tuple[int, dict[str, Any]] | None:
        """(seq, the lens's view) of the newest retained snapshot_created this reader may see."""
        # Rare path (only resyncs): scan what is retained.
        latest: tuple[int, dict[str, Any]] | None = None
        after = max(first - 1, 0)
        while True:
            batch = await self.spine.read_after(self.key, after, _BATCH)
            for event in reversed(batch):
                seen = self.lens.view(wire_event(event)) if event.type == "snapshot_created" else None
                if seen is not None:
                    latest = (event.seq, seen)
                    break
            if len(batch) < _BATCH:
                return latest
            after = batch[-1].seq

    async def _next(self) -> SpineEvent | None:
        queue = self.subscription.queue
        if not queue.empty():
            return queue.get_nowait()
        remaining = self._remaining_s()
        if remaining is not None and remaining <= 0:
            return None
        getter = asyncio.ensure_future(queue.get())
        stopper = asyncio.ensure_future(self.shutdown.wait())
        try:
            await asyncio.wait((getter, stopper), timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not getter.done():
                getter.cancel()
        return getter.result() if getter.done() and not getter.cancelled() else None

    async def events(self, cursor: int | None) -> AsyncIterator[ServerSentEvent]:
        """The stream, ended by shutdown or (with a ``token_expired`` event) by the token's exp."""
        async with contextlib.aclosing(self._stream(cursor)) as stream:
            async for item in stream:
                if self._expired():
                    break
                yield item
        if self._expired():
            body = {"reason": "token_expired", "cursor": self.cursor}
            yield ServerSentEvent(data=dumps(body), event="token_expired")

    async def _stream(self, cursor: int | None) -> AsyncGenerator[ServerSentEvent, None]:
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
                    return  # shutting down or expired: end the response cleanly, the client resumes
                if event.seq <= self.cursor:
                    continue
                if event.seq > self.cursor + 1:
                    async for item in self._catch_up(until=event.seq - 1):
                        yield item
                live = self._send(event)
                if live is not None:
                    yield live
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
    relay = _Relay(ctx, address, lens, subscription, actor.expires_at)
    options = ctx.config.options
    return RelayResponse(relay, cursor, options.ping_s, min(1.0, options.shutdown_grace_s))


async def subscribe_canvas(request: Request) -> RelayResponse:
    return await _subscribe(request, "canvas")


async def subscribe_run(request: Request) -> RelayResponse:
    return await _subscribe(request, "run")
