"""Usage records go to the ledger in batches, on a thread of their own: never on a call's path.

:meth:`LedgerWriter.record` only appends to a list (a few microseconds). The writer thread
writes a batch (one transaction) as soon as ``batch_size`` records wait, or after
``flush_interval_s`` when fewer do. So a process killed with SIGKILL loses at most what had
not been written yet: the records of the last ``flush_interval_s``, at most one batch while the
database keeps up. :meth:`close` (a clean stop) writes everything first: a clean stop loses
nothing. A database that refuses a write keeps the batch waiting (retried with backoff); past
``max_pending`` records the oldest are dropped, counted and logged, so an unreachable database
cannot exhaust memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Final

from core.metering.ledger import Ledger
from core.metering.record import LedgerEntry

__all__ = ["LedgerWriter"]

logger = logging.getLogger(__name__)

_BACKOFF_S: Final = (0.1, 0.5, 1.0, 2.0, 5.0)


class LedgerWriter:
    def __init__(
        self,
        ledger: Ledger,
        *,
        batch_size: int = 200,
        flush_interval_s: float = 1.0,
        max_pending: int = 100_000,
        on_written: Callable[[int], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.max_pending = max_pending
        self._on_written = on_written
        self._pending: deque[LedgerEntry] = deque()
        self._inflight: list[LedgerEntry] = []  # the batch being written now
        self._changed = threading.Condition()
        self._closing = False
        self._forced = False  # a flush() asks for the partial batch now
        self._thread: threading.Thread | None = None
        self._failures = 0
        self.written = 0  # records stored so far
        self.batches = 0
        self.dropped = 0

    def start(self) -> None:
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
                self._thread.start()

    @property
    def alive(self) -> bool:
        """Whether the writer thread runs (False before start and after close)."""
        return self._thread is not None and self._thread.is_alive()

    def record(self, record: LedgerEntry) -> None:
        """Queue ``record`` (never blocks on the database)."""
        with self._changed:
            self._pending.append(record)
            if len(self._pending) > self.max_pending:
                self._pending.popleft()
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    logger.error("usage ledger unreachable: %d records dropped so far", self.dropped)
            if len(self._pending) >= self.batch_size:
                self._changed.notify()

    def pending(self) -> list[LedgerEntry]:
        """Records queued but not written yet (quotas add them to what the ledger says)."""
        with self._changed:
            return [*self._inflight, *self._pending]

    def flush(self, timeout_s: float = 30.0) -> bool:
        """Wait until every record queued before this call is written; False on timeout."""
        with self._changed:
            target = self.written + self.dropped + len(self._inflight) + len(self._pending)
            self._forced = True
            self._changed.notify_all()
            return self._changed.wait_for(lambda: self.written + self.dropped >= target, timeout_s)

    def close(self, timeout_s: float = 30.0) -> None:
        """Write everything queued, stop the thread and close the ledger."""
        with self._changed:
            self._closing = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                logger.error("usage ledger: %d records not written at shutdown", len(self._pending))
            self._thread = None
        else:
            self._write_all()
        self.ledger.close()

    # --- the writer thread --------------------------------------------------------------

    def _run(self) -> None:
        deadline = time.monotonic() + self.flush_interval_s
        while True:
            with self._changed:
                while not (self._closing or self._forced) and len(self._pending) < self.batch_size:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._changed.wait(left)
                closing = self._closing
                due = time.monotonic() >= deadline or self._forced
                self._forced = False
            # Full batches go at once; a partial one waits for the interval (or the close).
            self._write_all(give_up=closing, full_only=not (closing or due))
            if due:
                deadline = time.monotonic() + self.flush_interval_s
            if closing:
                return

    def _write_all(self, *, give_up: bool = False, full_only: bool = False) -> None:
        """Write what waits, a batch at a time; on failure put it back and back off (at close:
        give up, saying how many records are lost)."""
        while True:
            with self._changed:
                if full_only and len(self._pending) < self.batch_size:
                    return
                count = min(self.batch_size, len(self._pending))
                self._inflight = [self._pending.popleft() for _ in range(count)]
                batch = self._inflight
            if not batch:
                return
            written = self._write(batch)
            with self._changed:
                self._inflight = []
                if written:
                    self.written += len(batch)
                    self.batches += 1
                else:
                    self._pending.extendleft(reversed(batch))
                self._changed.notify_all()
            if not written:
                if give_up:
                    logger.error("usage ledger: %d records lost at shutdown", len(self._pending))
                    return
                time.sleep(_BACKOFF_S[min(self._failures, len(_BACKOFF_S)) - 1])
                return
            if self._on_written is not None:
                self._on_written(len(batch))

    def _write(self, batch: Sequence[LedgerEntry]) -> bool:
        try:
            self.ledger.write(batch)
        except Exception:
            self._failures += 1
            logger.exception(
                "usage ledger write of %d records failed (attempt %d)", len(batch), self._failures
            )
            return False
        self._failures = 0
        return True
