"""Quotas refuse at the limit with a coded error naming the quota and when it resets."""

from __future__ import annotations

import pytest

from core.errors import QuotaExceeded
from core.metering import QuotaLimits, Quotas

MINUTE_START = 1_800_000_000.0  # a whole minute (and 1_800_000_000 % 86400 = 28800: 08:00 UTC)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _quotas(
    limits: QuotaLimits, clock: Clock, *, cpu: float = 0.0, jobs: int = 0, **overrides: QuotaLimits
) -> Quotas:
    reads: list[str] = []

    def cpu_used(tenant: str, since: float) -> float:
        reads.append(tenant)
        return cpu

    quotas = Quotas(limits, overrides, cpu_used=cpu_used, unfinished_jobs=lambda tenant: jobs, clock=clock)
    quotas.reads = reads  # type: ignore[attr-defined]
    return quotas


def test_calls_per_minute_refuse_the_call_past_the_limit_until_the_next_minute() -> None:
    clock = Clock(MINUTE_START + 10)
    quotas = _quotas(QuotaLimits(calls_per_minute=3), clock)
    for _ in range(3):
        quotas.admit("t1", starts_job=False)
    with pytest.raises(QuotaExceeded) as refused:
        quotas.admit("t1", starts_job=False)
    error = refused.value
    assert error.code == "quota_exceeded" and error.value == "calls_per_minute"
    assert error.details == {
        "quota": "calls_per_minute",
        "limit": 3,
        "used": 3,
        "resets_at": "2027-01-15T08:01:00Z",
    }
    assert "resets at 2027-01-15T08:01:00Z" in error.message
    quotas.admit("t2", starts_job=False)  # another tenant has its own count
    clock.now = MINUTE_START + 60
    quotas.admit("t1", starts_job=False)


def test_concurrent_jobs_count_only_calls_that_start_a_job() -> None:
    quotas = _quotas(QuotaLimits(concurrent_jobs=2), Clock(MINUTE_START), jobs=2)
    quotas.admit("t1", starts_job=False)
    with pytest.raises(QuotaExceeded) as refused:
        quotas.admit("t1", starts_job=True)
    assert refused.value.value == "concurrent_jobs" and refused.value.details["resets_at"] is None


def test_cpu_seconds_per_day_reset_at_utc_midnight_and_the_ledger_is_read_at_most_every_few_seconds() -> None:
    clock = Clock(MINUTE_START)
    quotas = _quotas(QuotaLimits(cpu_seconds_per_day=100.0), clock, cpu=100.5)
    for _ in range(3):
        with pytest.raises(QuotaExceeded) as refused:
            quotas.admit("t1", starts_job=False)
    assert refused.value.details["resets_at"] == "2027-01-16T00:00:00Z"
    assert quotas.reads == ["t1"]  # type: ignore[attr-defined]


def test_a_tenant_override_replaces_the_defaults_and_zero_means_no_limit() -> None:
    clock = Clock(MINUTE_START)
    quotas = _quotas(QuotaLimits(), clock, vip=QuotaLimits(calls_per_minute=1))
    assert quotas.active
    for _ in range(100):
        quotas.admit("anyone", starts_job=True)
    quotas.admit("vip", starts_job=False)
    with pytest.raises(QuotaExceeded):
        quotas.admit("vip", starts_job=False)
    assert not _quotas(QuotaLimits(), clock).active
