"""Fan-out: one spine reader per stream per process, feeding bounded per-subscriber queues.

The spine is the truth; the hub only saves every subscriber from polling it. A subscriber
whose queue is full is dropped (its connection is closed) rather than slowing the reader or
the other subscribers; it reconnects with its Last-Event-ID and catches up from the spine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from core.errors import AtomsError
from gateway.spine import Spine, SpineEvent

__all__ = ["HubRegistry", "StreamHub", "Subscription"]

logger = logging.getLogger(__name__)

_BATCH = 500
_RETRY_S = 1.0


class Subscription:
    """One subscriber's bounded queue, and the flag that cuts it off."""

    def __init__(self, limit: int) -> None:
        self.queue: asyncio.Queue[SpineEvent] = asyncio.Queue(limit)
        self.dropped = asyncio.Event()

    def offer(self, event: SpineEvent) -> bool:
        if self.dropped.is_set():
            return False
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped.set()
            return False
        return True


class StreamHub:
    def __init__(self, spine: Spine, stream: str, *, poll_s: float, on_drop: Callable[[], None]) -> None:
        self.spine = spine
        self.stream = stream
        self.poll_s = poll_s
        self.on_drop = on_drop
        self.subscribers: set[Subscription] = set()
        self.last = 0
        self.users = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # `last` is fixed before anyone subscribes: every later event reaches every queue, and
        # anything earlier is in the spine for the subscriber's own catch-up read.
        self.last = await self.spine.head(self.stream)
        self._task = asyncio.create_task(self._run(), name=f"hub {self.stream}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                batch = await self.spine.read_after(self.stream, self.last, _BATCH)
                if not batch:
                    await self.spine.wait(self.stream, self.last, self.poll_s)
                    continue
            except AtomsError as exc:
                logger.warning("spine read failed for a stream (%s); retrying", exc.code)
                await asyncio.sleep(_RETRY_S)
                continue
            for event in batch:
                for subscription in list(self.subscribers):
                    if not subscription.offer(event):
                        self.subscribers.discard(subscription)
                        self.on_drop()
                self.last = event.seq


class HubRegistry:
    """Hubs by stream, started on first use and stopped when their last subscriber leaves."""

    def __init__(self, spine: Spine, *, poll_s: float, on_drop: Callable[[], None]) -> None:
        self.spine = spine
        self.poll_s = poll_s
        self.on_drop = on_drop
        self._hubs: dict[str, StreamHub] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, stream: str) -> StreamHub:
        async with self._lock:
            hub = self._hubs.get(stream)
            if hub is None:
                hub = StreamHub(self.spine, stream, poll_s=self.poll_s, on_drop=self.on_drop)
                await hub.start()
                self._hubs[stream] = hub
            hub.users += 1
            return hub

    async def release(self, hub: StreamHub, subscription: Subscription) -> None:
        hub.subscribers.discard(subscription)
        async with self._lock:
            hub.users -= 1
            if hub.users == 0 and self._hubs.get(hub.stream) is hub:
                del self._hubs[hub.stream]
                await hub.stop()

    async def close(self) -> None:
        async with self._lock:
            hubs, self._hubs = list(self._hubs.values()), {}
        for hub in hubs:
            await hub.stop()
