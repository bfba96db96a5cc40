"""Wake-ups for ``Spine.wait``: in-process futures keyed by stream.

A backend feeds the hub with every sequence number it learns of (its own appends, a NOTIFY,
the periodic poll); the hub resolves the waiters that number satisfies. It only ever wakes
callers early; it never carries events, so a hint it misses costs latency, not data.
All methods run on the event loop that owns the spine.
"""

from __future__ import annotations

import asyncio
import contextlib

_MAX_KNOWN_STREAMS = 65_536


class WakeHub:
    def __init__(self) -> None:
        # stream -> {future: after_seq}; a future resolves once a seq > after_seq is seen.
        self._waiters: dict[str, dict[asyncio.Future[None], int]] = {}
        # The highest seq seen per stream: a lower bound of the real head, so
        # ``known > after_seq`` proves an event exists and wait() can return at once.
        self._known: dict[str, int] = {}

    def streams(self) -> list[str]:
        """The streams somebody is waiting on (what the periodic poll must look at)."""
        return list(self._waiters)

    def seen(self, stream: str, seq: int) -> None:
        if seq > self._known.get(stream, 0):
            if len(self._known) >= _MAX_KNOWN_STREAMS:
                # Forgetting hints only costs latency (the poll still finds the events).
                self._known.clear()
            self._known[stream] = seq
        waiting = self._waiters.get(stream)
        if not waiting:
            return
        for future, after_seq in waiting.items():
            if seq > after_seq and not future.done():
                future.set_result(None)

    def wake_all(self) -> None:
        """Wake every waiter: used after a gap in which hints may have been lost."""
        for waiting in self._waiters.values():
            for future in waiting:
                if not future.done():
                    future.set_result(None)

    async def wait(self, stream: str, after_seq: int, timeout_s: float) -> None:
        if self._known.get(stream, 0) > after_seq or timeout_s <= 0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(stream, {})[future] = after_seq
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, timeout_s)
        finally:
            waiting = self._waiters.get(stream)
            if waiting is not None:
                waiting.pop(future, None)
                if not waiting:
                    # Idle streams cost no poll work.
                    del self._waiters[stream]
