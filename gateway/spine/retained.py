"""Retention on every write: a Spine that keeps any backend bounded.

Every append, whether an agent's event or a canvas's command or chat message, goes through
here, so no stream escapes retention however it is written to: each stream keeps its newest
``keep_events`` (trimmed every so many appends, not on each one), and idempotency records older
than ``command_ttl_s`` are swept before a new command is recorded (at most once per
``sweep_every_s``). The backends stay plain stores; what to keep is decided once, here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gateway.spine.base import CommandRecord, Spine, SpineEvent

__all__ = ["RetainedSpine"]

_TRIM_EVERY_MAX = 1000
_SWEEP_EVERY_MAX_S = 60.0


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
        self._now = now
        self._trim_every = min(_TRIM_EVERY_MAX, max(1, keep_events // 10))
        self._sweep_every_s = min(_SWEEP_EVERY_MAX_S, command_ttl_s / 10)
        self._last_sweep = float("-inf")

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

    async def _appended(self, stream: str, seq: int) -> None:
        if seq % self._trim_every == 0:
            await self.inner.trim(stream, self.keep_events)

    async def read_after(self, stream: str, after_seq: int, limit: int = 500) -> list[SpineEvent]:
        return await self.inner.read_after(stream, after_seq, limit)

    async def head(self, stream: str) -> int:
        return await self.inner.head(stream)

    async def first_retained(self, stream: str) -> int:
        return await self.inner.first_retained(stream)

    async def wait(self, stream: str, after_seq: int, timeout_s: float) -> None:
        await self.inner.wait(stream, after_seq, timeout_s)

    async def trim(self, stream: str, keep_last: int) -> int:
        return await self.inner.trim(stream, keep_last)

    async def trim_commands(self, older_than: float) -> int:
        return await self.inner.trim_commands(older_than)
