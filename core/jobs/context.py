"""What a job function receives: who it runs for, the settings, progress and cancellation."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from core.jobs.errors import JobCancelled
from core.settings import Settings

__all__ = ["JobContext"]

_PROGRESS_PERIOD_S: Final = 0.2  # at most ~5 progress events a second leave the worker
_CANCEL_CACHE_S: Final = 0.2  # cancelled() asks the scheduler at most this often


class JobContext:
    """Handed to ``function(ctx, spec)`` on the worker.

    ``progress`` never blocks: it queues one event on the worker's connection, and reports
    arriving faster than ~5/s keep only the newest (sent with the next report, or when the
    job ends). ``cancelled`` is cheap to poll: it asks the scheduler at most every 0.2 s.
    """

    def __init__(
        self,
        *,
        job_id: str,
        tenant_id: str,
        settings: Settings,
        emit: Callable[[float, str], None],
        cancel_flag: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.tenant_id = tenant_id
        self.settings = settings
        self._emit = emit
        self._cancel_flag = cancel_flag
        self._clock = clock
        self._last_sent = float("-inf")
        self._pending: tuple[float, str] | None = None
        # The first question waits one period: a job cancelled while queued was dropped from
        # Dask, so asking at once would cost every short job a round trip for nothing.
        self._cancel_checked = clock()
        self._cancelled = False

    def progress(self, fraction: float, message: str = "") -> None:
        """Report ``fraction`` (0..1) done, with an optional human message."""
        self._pending = (min(1.0, max(0.0, fraction)), message)
        if self._clock() - self._last_sent >= _PROGRESS_PERIOD_S:
            self.flush_progress()

    def flush_progress(self) -> None:
        """Send the newest report held back by the throttle, if any."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._last_sent = self._clock()
            self._emit(*pending)

    def cancelled(self) -> bool:
        """True once the job has been cancelled; stays True."""
        if not self._cancelled and self._clock() - self._cancel_checked >= _CANCEL_CACHE_S:
            self._cancel_checked = self._clock()
            self._cancelled = self._cancel_flag()
        return self._cancelled

    def raise_if_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled(f"job {self.job_id} was cancelled", value=self.job_id)
