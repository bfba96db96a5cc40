"""Group commit per stream: appends that arrive while a stream's previous batch is committing
ride together in its next batch.

Why: every append to one stream holds that stream's counter lock through its commit (fsync),
so one-at-a-time appends to a busy stream are bounded by commit latency. Batching amortises
the lock and the commit; a lone append still goes out at once (no waiting for company).
Batches never span streams, so two replicas can never lock two counters in opposite orders.
Order is call order: seq follows the order in which append() was called in this process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

MAX_BATCH = 500


@dataclass(slots=True)
class Pending:
    tenant_id: str
    type: str
    payload_text: str
    future: asyncio.Future[tuple[int, float]] = field(repr=False)


# flush(stream, items) -> (first seq, created_at); raises to fail the whole batch.
Flush = Callable[[str, list[Pending]], Awaitable[tuple[int, float]]]


class StreamBatcher:
    def __init__(self, flush: Flush) -> None:
        self._flush = flush
        self._queued: dict[str, list[Pending]] = {}
        self._running: dict[str, asyncio.Task[None]] = {}

    async def append(self, stream: str, tenant_id: str, type: str, payload_text: str) -> tuple[int, float]:
        """(seq, created_at) once the event's batch has committed."""
        future: asyncio.Future[tuple[int, float]] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_mark_retrieved)
        self._queued.setdefault(stream, []).append(Pending(tenant_id, type, payload_text, future))
        if stream not in self._running:
            self._running[stream] = asyncio.create_task(
                self._drain(stream), name=f"spine-batch:{stream[:40]}"
            )
        # A cancelled caller does not cancel the batch: the append may already be committed.
        return await asyncio.shield(future)

    async def close(self) -> None:
        """Let in-flight batches finish (their callers are waiting on them)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _drain(self, stream: str) -> None:
        try:
            while queued := self._queued.pop(stream, None):
                batch, rest = queued[:MAX_BATCH], queued[MAX_BATCH:]
                if rest:
                    self._queued[stream] = rest + self._queued.get(stream, [])
                await self._commit(stream, batch)
        finally:
            self._running.pop(stream, None)

    async def _commit(self, stream: str, batch: list[Pending]) -> None:
        try:
            first_seq, created_at = await self._flush(stream, batch)
        except BaseException as exc:
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for offset, item in enumerate(batch):
            if not item.future.done():
                item.future.set_result((first_seq + offset, created_at))


def _mark_retrieved(future: asyncio.Future[tuple[int, float]]) -> None:
    """A caller cancelled mid-batch never reads its future; reading it here keeps asyncio from
    logging "exception was never retrieved". The shield still hands the outcome to live callers."""
    if not future.cancelled():
        future.exception()
