"""Retention on every write: a Spine that keeps any backend bounded.

Every append, whether an agent's event, a canvas commit or a canvas's command or chat message,
goes through here, so no stream escapes retention however it is written to: each stream keeps
its newest ``keep_events`` (trimmed every so many appends, not on each one), and idempotency
records older than ``command_ttl_s`` are swept before a new command is recorded (at most once
per ``sweep_every_s``). A stream with canvas state is never trimmed past its newest snapshot's
resume point: ``floor`` (the canvas layer) returns that point, taking a snapshot first when the
newest one is too old to let retention proceed. The backends stay plain stores; what to keep
is decided once, here.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.spine.base import CommandRecord, Spine, SpineEvent
from gateway.spine.canvas_rows import CanvasRead, Decide, SnapshotRow, TransactOutcome

__all__ = ["Floor", "RetainedSpine"]

_TRIM_EVERY_MAX = 1000
_SWEEP_EVERY_MAX_S = 60.0

# floor(stream, cut) -> the highest seq retention may delete on that stream, or None for no
# limit; ``cut`` is where plain retention would cut (head - keep_events).
Floor = Callable[[str, int], Awaitable[int | None]]


async def _no_floor(_: str, __: int) -> int | None:
    return None


class RetainedSpine:
    def __init__(
        self,
        inner: Spine,
        *,
        keep_events: int,
        command_ttl_s: float,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.inner = inner
        self.keep_events = keep_events
        self.command_ttl_s = command_ttl_s
        self.floor: Floor = _no_floor
        self._now = now
        self._trim_every = min(_TRIM_EVERY_MAX, max(1, keep_events // 10))
        self._sweep_every_s = min(_SWEEP_EVERY_MAX_S, command_ttl_s / 10)
        self._last_sweep = float("-inf")
        self._trimming: set[str] = set()  # the floor may append (a snapshot): no trim within a trim

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def ping(self) -> None:
        await self.inner.ping()

    async def append(self, stream: str, tenant_id: str, type: str, payload: dict[str, Any]) -> SpineEvent:
        event = await self.inner.append(stream, tenant_id, type, payload)
        await self._appended(stream, event.seq)
        return event

    async def append_command(
        self,
        stream: str,
        tenant_id: str,
        idempotency_key: str,
        body_sha256: str,
        type: str,
        payload: dict[str, Any],
    ) -> tuple[CommandRecord, bool]:
        # Sweep before recording: a key past its life is forgotten, so this send counts anew.
        now = self._now()
        if now - self._last_sweep >= self._sweep_every_s:
            self._last_sweep = now
            await self.inner.trim_commands(now - self.command_ttl_s)
        record, created = await self.inner.append_command(
            stream, tenant_id, idempotency_key, body_sha256, type, payload
        )
        if created:
            await self._appended(record.stream, record.seq)
        return record, created

    async def canvas_transact(
        self,
        stream: str,
        tenant_id: str,
        decide: Decide,
        *,
        since_revision: int | None = None,
        patch_key: str | None = None,
    ) -> TransactOutcome:
        outcome = await self.inner.canvas_transact(
            stream, tenant_id, decide, since_revision=since_revision, patch_key=patch_key
        )
        if outcome.write is not None and outcome.write.event_type is not None:
            await self._appended(stream, outcome.seq)
        return outcome

    async def _appended(self, stream: str, seq: int) -> None:
        if seq % self._trim_every != 0 or seq <= self.keep_events or stream in self._trimming:
            return
        self._trimming.add(stream)
        try:
            floor = await self.floor(stream, seq - self.keep_events)
            await self.inner.trim(stream, self.keep_events, floor=floor)
        finally:
            self._trimming.discard(stream)

    async def canvas_read(self, stream: str) -> CanvasRead | None:
        return await self.inner.canvas_read(stream)

    async def canvas_snapshot(self, stream: str, revision: int | None = None) -> SnapshotRow | None:
        return await self.inner.canvas_snapshot(stream, revision)

    async def read_after(self, stream: str, after_seq: int, limit: int = 500) -> list[SpineEvent]:
        return await self.inner.read_after(stream, after_seq, limit)

    async def head(self, stream: str) -> int:
        return await self.inner.head(stream)

    async def first_retained(self, stream: str) -> int:
        return await self.inner.first_retained(stream)

    async def wait(self, stream: str, after_seq: int, timeout_s: float) -> None:
        await self.inner.wait(stream, after_seq, timeout_s)

    async def trim(self, stream: str, keep_last: int, *, floor: int | None = None) -> int:
        return await self.inner.trim(stream, keep_last, floor=floor)

    async def trim_commands(self, older_than: float) -> int:
        return await self.inner.trim_commands(older_than)
