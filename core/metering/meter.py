"""What one call or job consumes, counted where the work happens.

The serving runtime (a tool call) and the job worker (a job) open a :func:`metered` block; the
code that does the work adds to whatever meter is current: the ffmpeg runner its process's CPU
time (ffmpeg's own ``-benchmark`` figures), a worker thread its thread CPU time, the media store
the bytes it reads and writes. The meter is found through a context variable, so it follows
the call into worker threads (anyio copies the context) and is absent, costing nothing, outside
a metered block.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["UsageMeter", "add_bytes_in", "add_bytes_out", "add_cpu_seconds", "metered"]


@dataclass
class UsageMeter:
    cpu_s: float = 0.0
    bytes_in: int = 0
    bytes_out: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, cpu_s: float = 0.0, bytes_in: int = 0, bytes_out: int = 0) -> None:
        with self._lock:  # several worker threads of one call may add at once
            self.cpu_s += max(cpu_s, 0.0)
            self.bytes_in += max(bytes_in, 0)
            self.bytes_out += max(bytes_out, 0)


_current: contextvars.ContextVar[UsageMeter | None] = contextvars.ContextVar(
    "atoms_usage_meter", default=None
)


@contextmanager
def metered(meter: UsageMeter | None = None) -> Iterator[UsageMeter]:
    """Count what the block (and the threads it starts) consumes into ``meter`` (a new one by default)."""
    meter = meter if meter is not None else UsageMeter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def add_cpu_seconds(seconds: float) -> None:
    meter = _current.get()
    if meter is not None:
        meter.add(cpu_s=seconds)


def add_bytes_in(count: int) -> None:
    meter = _current.get()
    if meter is not None:
        meter.add(bytes_in=count)


def add_bytes_out(count: int) -> None:
    meter = _current.get()
    if meter is not None:
        meter.add(bytes_out=count)
