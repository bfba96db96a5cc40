"""The progress reporter injected into long tools, mapped to MCP progress notifications."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

__all__ = ["NullProgress", "Phase", "Progress", "RecordingProgress"]

ProgressSink = Callable[[float, float | None, str | None], Awaitable[None]]


class Progress:
    """Reports how far a tool call has come. ``report(0.5, message="decoding")`` means half done.

    A tool declares a parameter annotated ``Progress`` and the runtime injects one bound to
    the caller's MCP progress token; with no token the reports go nowhere, at no cost.
    """

    def __init__(self, sink: ProgressSink | None = None) -> None:
        self._sink = sink
        self._last = -1.0

    async def report(self, fraction: float, message: str | None = None) -> None:
        """Report ``fraction`` in [0, 1]; values never go backwards on the wire."""
        fraction = min(1.0, max(0.0, fraction))
        if fraction < self._last or self._sink is None:
            return
        self._last = fraction
        await self._sink(fraction, 1.0, message)

    async def __call__(self, fraction: float, message: str) -> None:
        """So a Progress can be passed straight to ``run_ffmpeg(on_progress=...)``."""
        await self.report(fraction, message)

    def phase(self, name: str, start: float, end: float) -> Phase:
        """The share ``start..end`` of the bar for one named phase (probing, decoding,
        encoding, registering...): its reports are mapped into that share and their messages
        start with the phase's name, so a client reads "encoding: 3.1s of 8.5s", never a bare
        "done" before the work is."""
        return Phase(self, name, start, end)


class Phase:
    """One named stretch of a :class:`Progress` (see :meth:`Progress.phase`)."""

    def __init__(self, progress: Progress, name: str, start: float, end: float) -> None:
        if not 0.0 <= start <= end <= 1.0:
            raise ValueError(f"a phase spans 0 <= start <= end <= 1, not {start}..{end}")
        self._progress = progress
        self.name = name
        self._start = start
        self._span = end - start

    async def report(self, fraction: float = 0.0, detail: str | None = None) -> None:
        """``fraction`` of this phase done (0 when it starts), with an optional detail."""
        fraction = min(1.0, max(0.0, fraction))
        message = self.name if not detail or fraction >= 1.0 else f"{self.name}: {detail}"
        await self._progress.report(self._start + self._span * fraction, message)

    async def __call__(self, fraction: float, message: str) -> None:
        """So a phase can be passed straight to ``run_ffmpeg(on_progress=...)``."""
        await self.report(fraction, message)


class NullProgress(Progress):
    """Discards every report (direct calls, tests, examples)."""

    def __init__(self) -> None:
        super().__init__(None)


class RecordingProgress(Progress):
    """Keeps every report; for tests and for callers that poll."""

    def __init__(self) -> None:
        self.reports: list[tuple[float, str | None]] = []

        async def record(fraction: float, total: float | None, message: str | None) -> None:
            self.reports.append((fraction, message))

        super().__init__(record)
