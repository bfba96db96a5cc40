"""What ``muscle call`` writes: a progress line on stderr and the picked field of a result."""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ["ProgressLine", "picked"]

_BAR_WIDTH = 24


class ProgressLine:
    """MCP progress notifications on ``stream``: one line redrawn in place on a terminal (a bar,
    the percentage and the phase), one plain line per change when ``stream`` is a file or pipe."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last: tuple[int, str] | None = None
        self._drawn = False

    async def update(self, progress: float, total: float | None, message: str | None) -> None:
        share = progress / total if total else None
        percent = round(100 * share) if share is not None else -1
        text = message or ""
        if (percent, text) == self._last:
            return
        self._last = (percent, text)
        label = f"{percent:3d}%" if share is not None else f"{progress:g}"
        if self._tty:
            filled = round(_BAR_WIDTH * (share or 0.0))
            bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
            self._stream.write(f"\r\x1b[K[{bar}] {label} {text}".rstrip())
            self._drawn = True
        else:
            self._stream.write(f"progress {label.strip()} {text}".rstrip() + "\n")
        self._stream.flush()

    def close(self) -> None:
        """End the redrawn line, so what follows starts on a line of its own."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


def picked(payload: Any, path: str) -> Any:
    """The value at a dotted ``path`` (list items by index) of a tool's result."""
    value = payload
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise SystemExit(f"error: the result has no field {path!r}")
    return value
