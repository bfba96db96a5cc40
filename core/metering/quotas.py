"""Per-tenant quotas: calls per minute, concurrent jobs, CPU seconds per day.

A call beyond a quota is refused with :class:`~core.errors.QuotaExceeded`, whose value names
the quota and whose details say the limit, what was used and when it resets (``resets_at``,
ISO 8601 UTC; null for concurrent jobs, which free up when one of the tenant's jobs ends).

- calls per minute: a fixed window per calendar minute, counted in this process (with several
  replicas behind a balancer, each admits the limit: divide it by the replica count);
- concurrent jobs: the tenant's queued and running jobs in the job table (every process on the
  data dir sees the same count), checked when a call would start a job;
- CPU seconds per day (UTC): what the ledger holds since midnight plus what waits to be written,
  read at most every ``cpu_cache_s`` per tenant (so a tenant may overshoot by that much work).

A limit of 0 means none; ``ATOMS_QUOTA_OVERRIDES`` sets other limits for named tenants.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Final

from core.errors import QuotaExceeded
from core.settings import QuotaLimits

__all__ = ["QuotaLimits", "Quotas"]

_DAY_S: Final = 86_400


class Quotas:
    def __init__(
        self,
        defaults: QuotaLimits,
        overrides: Mapping[str, QuotaLimits],
        *,
        cpu_used: Callable[[str, float], float],
        unfinished_jobs: Callable[[str], int],
        clock: Callable[[], float] = time.time,
        cpu_cache_s: float = 5.0,
    ) -> None:
        self.defaults = defaults
        self.overrides = dict(overrides)
        self._cpu_used = cpu_used
        self._unfinished_jobs = unfinished_jobs
        self._clock = clock
        self._cpu_cache_s = cpu_cache_s
        self._lock = threading.Lock()
        self._calls: dict[str, tuple[int, int]] = {}  # tenant -> (minute, calls admitted in it)
        self._cpu: dict[str, tuple[float, float, float]] = {}  # tenant -> (day start, read at, used)

    def limits(self, tenant_id: str) -> QuotaLimits:
        return self.overrides.get(tenant_id, self.defaults)

    @property
    def active(self) -> bool:
        """Whether any limit is set (when none is, admitting a call costs nothing)."""
        return any(_set(limits) for limits in (self.defaults, *self.overrides.values()))

    def admit(self, tenant_id: str, *, starts_job: bool) -> None:
        """Count one call of the tenant, or raise QuotaExceeded (blocking: it may read the
        ledger and the job table, so call it off the event loop when limits are set)."""
        limits = self.limits(tenant_id)
        now = self._clock()
        if limits.cpu_seconds_per_day > 0:
            day = now - now % _DAY_S
            used = self._cpu_today(tenant_id, day, now)
            if used >= limits.cpu_seconds_per_day:
                raise _exceeded(
                    tenant_id, "cpu_seconds_per_day", limits.cpu_seconds_per_day, used, day + _DAY_S
                )
        if starts_job and limits.concurrent_jobs > 0:
            running = self._unfinished_jobs(tenant_id)
            if running >= limits.concurrent_jobs:
                raise _exceeded(tenant_id, "concurrent_jobs", limits.concurrent_jobs, running, None)
        if limits.calls_per_minute > 0:
            minute = int(now // 60)
            with self._lock:
                seen, count = self._calls.get(tenant_id, (minute, 0))
                count = count if seen == minute else 0
                if count >= limits.calls_per_minute:
                    raise _exceeded(
                        tenant_id, "calls_per_minute", limits.calls_per_minute, count, (minute + 1) * 60.0
                    )
                self._calls[tenant_id] = (minute, count + 1)

    def _cpu_today(self, tenant_id: str, day: float, now: float) -> float:
        with self._lock:
            cached = self._cpu.get(tenant_id)
        if cached is not None and cached[0] == day and now - cached[1] < self._cpu_cache_s:
            return cached[2]
        used = self._cpu_used(tenant_id, day)
        with self._lock:
            self._cpu[tenant_id] = (day, now, used)
        return used


def _set(limits: QuotaLimits) -> bool:
    return limits.calls_per_minute > 0 or limits.concurrent_jobs > 0 or limits.cpu_seconds_per_day > 0


def _exceeded(
    tenant_id: str, quota: str, limit: float, used: float, resets_at: float | None
) -> QuotaExceeded:
    when = (
        None if resets_at is None else datetime.fromtimestamp(resets_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    resets = f"it resets at {when}" if when else "it frees up when one of the tenant's jobs ends"
    return QuotaExceeded(
        f"tenant {tenant_id} has reached its {quota} quota ({limit:g}); {resets}",
        value=quota,
        details={"quota": quota, "limit": limit, "used": round(used, 3), "resets_at": when},
    )
