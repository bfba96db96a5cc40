"""The gateway's durable event spine (SQLite embedded, PostgreSQL for replicas)."""

from gateway.spine.base import CommandRecord, Spine, SpineEvent, SpineUnavailable
from gateway.spine.factory import open_spine
from gateway.spine.retained import RetainedSpine

__all__ = ["CommandRecord", "RetainedSpine", "Spine", "SpineEvent", "SpineUnavailable", "open_spine"]
