"""Values spliced into a filter graph: escaped for the filter option, then for the graph."""

from __future__ import annotations

__all__ = ["option_value"]


def _escape(value: str, specials: str) -> str:
    return "".join("\\" + char if char in specials else char for char in value)


def option_value(value: str) -> str:
    """``value`` escaped for a filter option, then for the filter graph around it (a path
    may hold ':', quotes or brackets; ffmpeg unescapes one level in each parser)."""
    return _escape(_escape(value, "\\':"), "\\'[],;")
