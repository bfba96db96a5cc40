"""Reading ffmpeg's pipes: lines out of raw chunks, and progress out of ``-progress`` blocks.

Both runners of :mod:`core.ffmpeg` feed these the same way and differ only in how they wait.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

__all__ = ["LineSplitter", "ProgressParser", "Report"]

# At most ~10 progress reports a second: enough for a smooth bar, few enough for MCP
# notifications and job-table writes.
_MIN_REPORT_INTERVAL_S: Final = 0.1
# ffmpeg still writes the trailer (an MP4's moov index, for one) after its clock reaches
# the end, so 1.0 is kept for "exited successfully" and running reports stop just below.
_RUNNING_CAP: Final = 0.99
# A line longer than this is cut rather than buffered without bound.
_MAX_LINE_BYTES: Final = 64 * 1024
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")

Report = tuple[float, str]


@dataclass
class ProgressParser:
    """Turns ``-progress`` key=value blocks into monotonic, throttled (fraction, message)."""

    duration_s: float | None
    clock: Callable[[], float] = time.monotonic
    _block: dict[str, str] = field(default_factory=dict, init=False)
    _last_fraction: float = field(default=-1.0, init=False)
    _last_report_at: float = field(default=float("-inf"), init=False)

    def feed(self, line: str) -> Report | None:
        key, sep, value = line.partition("=")
        if not sep:
            return None
        key, value = key.strip(), value.strip()
        if key != "progress":
            self._block[key] = value
            return None
        # "progress=continue|end" closes a block: only now are its fields consistent.
        block, self._block = self._block, {}
        return self._report(block)

    def finish(self) -> Report:
        """The last report, sent once ffmpeg exited with status 0."""
        self._last_fraction = 1.0
        return 1.0, "done"

    def _report(self, block: dict[str, str]) -> Report | None:
        if not self.duration_s or self.duration_s <= 0:
            return None
        out_s = _out_time_s(block)
        if out_s is None:
            return None
        fraction = min(max(out_s / self.duration_s, 0.0), _RUNNING_CAP)
        now = self.clock()
        if fraction <= self._last_fraction or now - self._last_report_at < _MIN_REPORT_INTERVAL_S:
            return None
        self._last_fraction, self._last_report_at = fraction, now
        message = f"{out_s:.1f}s of {self.duration_s:.1f}s"
        speed = block.get("speed", "N/A")
        return fraction, message if speed in ("", "N/A") else f"{message} at {speed}"


def _out_time_s(block: dict[str, str]) -> float | None:
    # out_time_ms is in microseconds too (a long-standing ffmpeg quirk); out_time is the
    # last resort for builds that print neither.
    for key in ("out_time_us", "out_time_ms"):
        raw = block.get(key, "")
        if raw.lstrip("-").isdigit():
            micros = int(raw)
            return micros / 1_000_000 if micros >= 0 else None
    match = re.fullmatch(r"(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", block.get("out_time", ""))
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


class LineSplitter:
    """Reassembles lines from pipe chunks; ``\\r`` counts as a break (ffmpeg's stats use it)."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> list[str]:
        parts = _LINE_BREAK.split(self._pending + chunk)
        self._pending = parts.pop()
        if len(self._pending) > _MAX_LINE_BYTES:
            parts.append(self._pending)
            self._pending = b""
        return [_decode(part) for part in parts if part]

    def flush(self) -> list[str]:
        rest, self._pending = self._pending, b""
        return [_decode(rest)] if rest else []


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
