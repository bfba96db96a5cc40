"""Downstream SSE: one stream per canvas (and per run), resumable by Last-Event-ID.

Order of a subscription: optional ``stream_ready`` (a fresh connection learns the head as its
cursor) or ``resync_required`` (a cursor older than retention: on a canvas it carries the newest
snapshot of its state, as the reader's lens sees it, and its ``id`` is the snapshot's resume
point, so the catch-up that follows replays every commit after the snapshot's revision), then a
catch-up from the spine, then live events from the hub. Ids are the spine's per-stream sequence
numbers, so they strictly increase and a resume skips nothing and repeats nothing; events the
lens hides are skipped, the rest are sent as the lens sees them. ``CANVAS_READY`` reaches each
reader with the tool buttons its actor may use (:mod:`gateway.canvas.manifest`).

A stream lives no longer than the token that opened it: at its ``exp`` the relay sends
``token_expired`` (no id, so the client's cursor stays) and ends; the client reconnects with a
fresh token and its Last-Event-ID and resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import anyio
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from gateway.canvas.service import snapshots_href
from gateway.context import GatewayContext
from gateway.hub import Subscription
from gateway.identity import Actor
from gateway.spine import SpineEvent
from gateway.sse_wire import dumps, parse_cursor, wire_event
from gateway.streams import StreamAddress, StreamKind

__all__ = ["subscribe", "subscribe_canvas", "subscribe_chat_thread", "subscribe_run"]

_BATCH = 500


class _Relay:
    """One subscriber's generator state."""

    def __init__(
        self,
        ctx: GatewayContext,
        address: StreamAddress,
        actor: Actor,
        subscription: Subscription,
    ):
        self.ctx = ctx
        self.shutdown = anyio.Event()  # set by sse-starlette when the server begins to stop
        self.spine = ctx.spine
        self.address = address
        self.key = address.key
        self.actor = actor
        self.lens = ctx.lens(actor)
        self.subscription = subscription
        self.expires_at = actor.expires_at
        self.cursor = 0
        self._tools: list[dict[str, Any]] | None = None  # this reader's buttons, read when first needed

    def _remaining_s(self) -> float | None:
        return None if self.expires_at is None else self.expires_at - self.ctx.now()

    def _expired(self) -> bool:
        remaining = self._remaining_s()
        return remaining is not None and remaining <= 0

    async def _send(self, event: SpineEvent) -> ServerSentEvent | None:
        """The event as the lens sees it, or None when it hides it (the cursor moves on either way)."""
        self.cursor = event.seq
        seen = self.lens.view(wire_event(event))
        if seen is None:
            return None
        if event.type == "CANVAS_READY":
            if self._tools is None:
                self._tools = await self.ctx.manifest.for_actor(self.actor, self.lens)
            seen["data"] = {**seen["data"], "tools": self._tools}
        self.ctx.metrics.events_out.inc()
        self.ctx.metrics.relay_latency.observe(max(0.0, time.time() - event.created_at))
        return ServerSentEvent(data=dumps(seen), event=event.type, id=str(event.seq))

    async def _catch_up(self, until: int | None = None) -> AsyncIterator[ServerSentEvent]:
        while True:
            batch = await self.spine.read_after(self.key, self.cursor, _BATCH)
            for event in batch:
                if until is not None and event.seq > until:
                    return
                item = await self._send(event)
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
        snapshot, resume = await self._newest_snapshot()
        self.cursor = resume if resume is not None else max(first - 1, 0)
        body = {
            "reason": "cursor_ahead_of_stream" if cursor > head else "cursor_older_than_retention",
            "cursor": cursor,
            "first_retained": first,
            "head": head,
            "snapshot": snapshot,
        }
        yield ServerSentEvent(data=dumps(body), event="resync_required", id=str(self.cursor))

    async def _newest_snapshot(self) -> tuple[dict[str, Any] | None, int | None]:
        """(the newest snapshot of the canvas's state as this reader sees it, its resume point).

        A snapshot in a media_v2 document is not inlined: its ``href`` reads it through the
        gateway (with the reader's lens)."""
        if self.address.kind != "canvas" or not self.lens.may_read("snapshot_created"):
            return None, None
        snap = await self.spine.canvas_snapshot(self.key)
        if snap is None:
            return None, None
        body: dict[str, Any] = {
            "revision": snap.revision,
            "canvas_type": snap.canvas_type,
            "resume_seq": snap.resume_seq,
        }
        if snap.state_text is not None:
            body["state"] = self.lens.view_state(json.loads(snap.state_text))
        else:
            body["href"] = f"{snapshots_href(self.address)}/{snap.revision}"
        return body, snap.resume_seq

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
                live = await self._send(event)
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


def subscribe(ctx: GatewayContext, request: Request, actor: Actor, address: StreamAddress) -> RelayResponse:
    """The SSE response for an authenticated, authorised reader of ``address``."""
    ctx.lens(actor)  # an unknown role is refused before the stream opens
    cursor = parse_cursor(request)
    relay = _Relay(ctx, address, actor, Subscription(ctx.config.options.queue_limit))
    options = ctx.config.options
    return RelayResponse(relay, cursor, options.ping_s, min(1.0, options.shutdown_grace_s))


async def _subscribe(request: Request, kind: StreamKind) -> RelayResponse:
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.caller(request, kind)
    return subscribe(ctx, request, actor, address)


async def subscribe_canvas(request: Request) -> RelayResponse:
    return await _subscribe(request, "canvas")


async def subscribe_run(request: Request) -> RelayResponse:
    return await _subscribe(request, "run")


async def subscribe_chat_thread(request: Request) -> RelayResponse:
    """``/sse/chat/{thread_id}``: the canvas stream of the thread, scoped by the token's pins."""
    ctx: GatewayContext = request.app.state.ctx
    actor, address = await ctx.thread_caller(request)
    return subscribe(ctx, request, actor, address)
