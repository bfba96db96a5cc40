"""Prometheus metrics of a muscles host (one registry per host, so tests can run several).

Per call (labels carry no tenant: tenants are in the usage ledger, not in metrics):

- ``atoms_tool_calls_total{muscle, tool, outcome}``: ``outcome`` is ``ok`` or the error code;
- ``atoms_tool_errors_total{muscle, code}``: failed calls by error code;
- ``atoms_tool_call_duration_seconds{muscle, tool}``: a histogram;
- ``atoms_cpu_seconds_total{muscle}``, ``atoms_bytes_read_total{muscle}``,
  ``atoms_bytes_stored_total{muscle}``: what calls consumed and stored;
- ``atoms_governance_decisions_total{outcome}``, ``atoms_quota_refusals_total{quota}``,
  ``atoms_tasks_created_total{muscle}``.

Read at each scrape: ``atoms_jobs{state}`` (the data dir's jobs by state), ``atoms_job_queue_depth``
(queued jobs), ``atoms_ledger_pending`` (usage records not yet written),
``atoms_ledger_written_total`` and ``atoms_ledger_dropped_total``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "HostMetrics"]

_DURATION_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
JOB_STATES: Final = ("queued", "running", "succeeded", "failed", "cancelled")


class HostMetrics:
    def __init__(
        self,
        *,
        jobs_by_state: Callable[[], Mapping[str, int]],
        ledger: Callable[[], tuple[int, int, int]],
    ) -> None:
        """``jobs_by_state()`` counts the job table; ``ledger()`` is (pending, written, dropped)."""
        self.registry = CollectorRegistry()
        self.calls = Counter(
            "atoms_tool_calls",
            "Tool calls by muscle, tool and outcome (ok or the error code)",
            ["muscle", "tool", "outcome"],
            registry=self.registry,
        )
        self.errors = Counter(
            "atoms_tool_errors", "Failed tool calls by error code", ["muscle", "code"], registry=self.registry
        )
        self.duration = Histogram(
            "atoms_tool_call_duration_seconds",
            "Tool call durations, from admission to the result",
            ["muscle", "tool"],
            buckets=_DURATION_BUCKETS,
            registry=self.registry,
        )
        self.cpu = Counter("atoms_cpu_seconds", "CPU seconds calls used", ["muscle"], registry=self.registry)
        self.bytes_read = Counter(
            "atoms_bytes_read", "Bytes of stored media calls read", ["muscle"], registry=self.registry
        )
        self.bytes_stored = Counter(
            "atoms_bytes_stored", "Bytes calls stored", ["muscle"], registry=self.registry
        )
        self.decisions = Counter(
            "atoms_governance_decisions",
            "Governance decisions by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.quota_refusals = Counter(
            "atoms_quota_refusals", "Calls refused by a quota", ["quota"], registry=self.registry
        )
        self.tasks = Counter(
            "atoms_tasks_created", "MCP tasks created (job-backed calls)", ["muscle"], registry=self.registry
        )
        self.registry.register(_ScrapeTime(jobs_by_state, ledger))
        self._children: dict[tuple[str, str, str], tuple[Any, Any, Any]] = {}
        self._decided: dict[str, Any] = {}

    def call(
        self,
        muscle: str,
        tool: str,
        outcome: str,
        duration_s: float,
        cpu_s: float,
        bytes_in: int,
        bytes_out: int,
    ) -> None:
        key = (muscle, tool, outcome)
        children = self._children.get(key)
        if children is None:  # labels() costs a lock and a lookup: once per label set
            children = self._children[key] = (
                self.calls.labels(muscle, tool, outcome),
                self.duration.labels(muscle, tool),
                self.errors.labels(muscle, outcome) if outcome != "ok" else None,
            )
        calls, duration, errors = children
        calls.inc()
        duration.observe(duration_s)
        if errors is not None:
            errors.inc()
        if cpu_s:
            self.cpu.labels(muscle).inc(cpu_s)
        if bytes_in:
            self.bytes_read.labels(muscle).inc(bytes_in)
        if bytes_out:
            self.bytes_stored.labels(muscle).inc(bytes_out)

    def decided(self, outcome: str) -> None:
        child = self._decided.get(outcome)
        if child is None:
            child = self._decided[outcome] = self.decisions.labels(outcome)
        child.inc()

    def render(self) -> bytes:
        """The exposition text (blocking: it counts the job table)."""
        return generate_latest(self.registry)


class _ScrapeTime(Collector):
    """What is read when Prometheus scrapes: the job table and the ledger writer."""

    def __init__(
        self, jobs_by_state: Callable[[], Mapping[str, int]], ledger: Callable[[], tuple[int, int, int]]
    ) -> None:
        self._jobs = jobs_by_state
        self._ledger = ledger

    def collect(self) -> Iterator[Metric]:
        counts = self._jobs()
        jobs = GaugeMetricFamily("atoms_jobs", "Jobs on this data dir by state", labels=["state"])
        for state in JOB_STATES:
            jobs.add_metric([state], counts.get(state, 0))
        yield jobs
        yield GaugeMetricFamily(
            "atoms_job_queue_depth", "Jobs queued, not yet running", value=counts.get("queued", 0)
        )
        pending, written, dropped = self._ledger()
        yield GaugeMetricFamily("atoms_ledger_pending", "Usage records not yet written", value=pending)
        yield CounterMetricFamily("atoms_ledger_written", "Usage records written", value=written)
        yield CounterMetricFamily(
            "atoms_ledger_dropped", "Usage records dropped (ledger unreachable)", value=dropped
        )
