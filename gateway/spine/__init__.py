"""The gateway's durable event spine (SQLite embedded, PostgreSQL for replicas)."""

from gateway.spine.base import CommandRecord, Spine, SpineEvent, SpineUnavailable, open_spine

__all__ = ["CommandRecord", "Spine", "SpineEvent", "SpineUnavailable", "open_spine"]
