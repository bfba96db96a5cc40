"""Prometheus metrics of one gateway app (a registry per app, so tests can run several)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "GatewayMetrics"]

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.subscribers = Gauge(
            "gateway_subscribers", "Open SSE subscriptions", ["kind"], registry=self.registry
        )
        self.events_in = Counter(
            "gateway_events_in", "Events and commands appended to the spine", ["type"], registry=self.registry
        )
        self.events_out = Counter(
            "gateway_events_out", "Events sent to SSE subscribers", registry=self.registry
        )
        self.drops = Counter(
            "gateway_subscriber_drops", "Subscribers cut off past their queue limit", registry=self.registry
        )
        self.resumes = Counter(
            "gateway_resumes", "SSE connections resumed from a Last-Event-ID", registry=self.registry
        )
        self.resyncs = Counter(
            "gateway_resyncs",
            "Resumes older than retention answered with resync_required",
            registry=self.registry,
        )
        self.commits = Counter(
            "gateway_canvas_commits", "Patches committed to canvas state", registry=self.registry
        )
        self.rejected = Counter("gateway_rejected", "Refused requests", ["code"], registry=self.registry)
        self.relay_latency = Histogram(
            "gateway_relay_latency_seconds",
            "From the spine append to the SSE write",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
