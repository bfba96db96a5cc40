"""The one way the suite runs ffmpeg: binary lookup, progress, stderr tail, cancellation.

Every input reads exactly the one local file it names (:mod:`core._ffmpeg_inputs`): protocols
and demuxers are whitelisted per input, so no playlist or indirection format can make ffmpeg
read further files. Stored media is pinned to the demuxer its registration recorded with
:func:`pinned_input`.

Both runners start ffmpeg in its own process group (``start_new_session``) so that stopping
a run stops everything it started: on cancellation the whole group gets SIGTERM, then
SIGKILL after a grace period, and no ffmpeg outlives the call that started it.

Every run asks ffmpeg for ``-benchmark``: the CPU time it reports at exit (its own
``getrusage``, all its threads) is the run's ``cpu_s`` and is added to the usage meter of the
call or job it runs for (:mod:`core.metering`); those lines never reach error messages.

Progress comes from ``-progress pipe:1`` (key=value blocks on stdout); stderr is drained
concurrently into a bounded tail so neither pipe can fill and stall ffmpeg. The async and
the blocking runner share the pipe parsing (:mod:`core._ffmpeg_progress`) and the shape of
their errors (:mod:`core._ffmpeg_failure`), and differ only in how they wait.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Final

import anyio
import anyio.abc

from core.errors import ConfigError, FfmpegFailed
from core.ffmpeg._failure import exit_failure, start_failure
from core.ffmpeg._inputs import harden_inputs, pinned_input
from core.ffmpeg._progress import LineSplitter, ProgressParser, Report
from core.metering.meter import add_cpu_seconds

__all__ = [
    "FfmpegResult",
    "ffmpeg_binary",
    "ffprobe_binary",
    "pinned_input",
    "run_ffmpeg",
    "run_ffmpeg_sync",
]

logger = logging.getLogger(__name__)

_STDERR_TAIL_LINES: Final = 40
_TERMINATE_GRACE_S: Final = 2.0
_CANCEL_POLL_S: Final = 0.2


@dataclass(frozen=True)
class FfmpegResult:
    """A run that exited with status 0."""

    returncode: int
    stderr_tail: str
    elapsed_s: float
    cpu_s: float | None = None  # user + system CPU ffmpeg reported for itself


# --- binaries -------------------------------------------------------------------------


def ffmpeg_binary(search_path: str | None = None) -> str:
    """The ffmpeg to run: the one on ``search_path`` (default: PATH), else imageio-ffmpeg's.

    The default lookup is cached for the life of the process.
    """
    return _default_ffmpeg() if search_path is None else _find_ffmpeg(search_path)


def ffprobe_binary(search_path: str | None = None) -> str | None:
    """The ffprobe on ``search_path`` (default: PATH), or None: imageio-ffmpeg ships none."""
    return _default_ffprobe() if search_path is None else shutil.which("ffprobe", path=search_path)


@functools.cache
def _default_ffmpeg() -> str:
    return _find_ffmpeg(None)


@functools.cache
def _default_ffprobe() -> str | None:
    return shutil.which("ffprobe")


def _find_ffmpeg(search_path: str | None) -> str:
    found = shutil.which("ffmpeg", path=search_path)
    if found is not None:
        return found
    import imageio_ffmpeg  # imported late: only needed when PATH has no ffmpeg

    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise ConfigError(
            "no ffmpeg binary found",
            hint="Install ffmpeg on PATH, or reinstall the imageio-ffmpeg wheel for this platform.",
        ) from exc


# --- shared by both runners -----------------------------------------------------------


def _build_argv(binary: str | None, args: Sequence[str]) -> list[str]:
    head = [
        binary or ffmpeg_binary(),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-benchmark",
        "-progress",
        "pipe:1",
    ]
    return [*head, *harden_inputs(args)]


_BENCH = re.compile(r"bench: utime=([0-9.]+)s stime=([0-9.]+)s")


def _cpu_of(tail: deque[str]) -> tuple[list[str], float | None]:
    """The tail without ffmpeg's ``bench:`` lines, and the CPU seconds they report."""
    kept, cpu = [], None
    for line in tail:
        if line.startswith("bench:"):
            found = _BENCH.search(line)
            if found is not None:
                cpu = float(found.group(1)) + float(found.group(2))
            continue
        kept.append(line)
    return kept, cpu


def _finish(argv: list[str], returncode: int, tail: deque[str], started: float) -> FfmpegResult:
    """The result of a run that ended on its own, or FfmpegFailed for a non-zero status."""
    lines, cpu_s = _cpu_of(tail)
    if cpu_s is not None:
        add_cpu_seconds(cpu_s)
    if returncode != 0:
        logger.debug("ffmpeg exited with status %d: %s", returncode, shlex.join(argv))
        raise exit_failure(argv, returncode, lines)
    return FfmpegResult(
        returncode=returncode,
        stderr_tail="\n".join(lines),
        elapsed_s=time.monotonic() - started,
        cpu_s=cpu_s,
    )


def _start_failed(argv: list[str], exc: OSError) -> FfmpegFailed:
    logger.debug("could not start ffmpeg: %s", shlex.join(argv))
    return start_failure(argv, exc)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    # The group is gone once every member has been reaped: nothing left to signal.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


# --- async runner ---------------------------------------------------------------------


async def run_ffmpeg(
    args: Sequence[str],
    *,
    duration_s: float | None = None,
    on_progress: Callable[[float, str], Awaitable[None]] | None = None,
    binary: str | None = None,
) -> FfmpegResult:
    """Run ``ffmpeg <args>``, reporting progress and killing its process group on cancel.

    ``args`` must not send output to stdout: stdout carries the progress stream. Progress
    fractions (0..1) need ``duration_s`` (the expected output duration); whatever the
    duration, a successful run ends with one ``on_progress(1.0, "done")``.
    Raises FfmpegFailed for a non-zero exit; re-raises cancellation after the group is dead.
    """
    argv = _build_argv(binary, args)
    parser = ProgressParser(duration_s)
    tail: deque[str] = deque(maxlen=_STDERR_TAIL_LINES)
    started = time.monotonic()
    try:
        process = await anyio.open_process(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise _start_failed(argv, exc) from exc
    async with process:
        try:
            returncode = await _supervise(process, parser, tail, on_progress)
        except BaseException:
            # Cancelled, or on_progress raised: ffmpeg must not outlive this call.
            with anyio.CancelScope(shield=True):
                await _stop_group(process)
            raise
    result = _finish(argv, returncode, tail, started)
    if on_progress is not None:
        await on_progress(*parser.finish())
    return result


async def _supervise(
    process: anyio.abc.Process,
    parser: ProgressParser,
    tail: deque[str],
    on_progress: Callable[[float, str], Awaitable[None]] | None,
) -> int:
    assert process.stdout is not None and process.stderr is not None
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_drain_into, process.stderr, tail)
            splitter = LineSplitter()
            async for chunk in process.stdout:
                for line in splitter.feed(chunk):
                    report = parser.feed(line)
                    if report is not None and on_progress is not None:
                        await on_progress(*report)
            returncode = await process.wait()
    except BaseExceptionGroup as group:
        # The stderr drain cannot fail, so the group only wraps the caller's own error
        # (from on_progress): hand it back unwrapped.
        raise group.exceptions[0] from None
    return returncode


async def _drain_into(stream: anyio.abc.ByteReceiveStream, tail: deque[str]) -> None:
    splitter = LineSplitter()
    async for chunk in stream:
        tail.extend(splitter.feed(chunk))
    tail.extend(splitter.flush())


async def _stop_group(process: anyio.abc.Process) -> None:
    """SIGTERM the group (ffmpeg then finalises its output), SIGKILL whatever is left."""
    # With start_new_session the leader's pid is the group id.
    _signal_group(process.pid, signal.SIGTERM)
    with anyio.move_on_after(_TERMINATE_GRACE_S):
        await process.wait()
    _signal_group(process.pid, signal.SIGKILL)
    await process.wait()


# --- blocking runner ------------------------------------------------------------------

_EOF: Final = None


def run_ffmpeg_sync(
    args: Sequence[str],
    *,
    duration_s: float | None = None,
    on_progress: Callable[[float, str], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    binary: str | None = None,
) -> FfmpegResult:
    """Blocking twin of :func:`run_ffmpeg` for worker threads and processes (Dask jobs).

    ``should_cancel`` is polled about every 0.2 s; when it returns True the process group
    is stopped and ``concurrent.futures.CancelledError`` is raised. Callbacks run in the
    calling thread, so thread-bound APIs (Dask's ``get_worker()``) work inside them.
    """
    argv = _build_argv(binary, args)
    parser = ProgressParser(duration_s)
    tail: deque[str] = deque(maxlen=_STDERR_TAIL_LINES)
    reports: queue.Queue[Report | None] = queue.Queue()
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise _start_failed(argv, exc) from exc
    assert process.stdout is not None and process.stderr is not None
    readers = [
        threading.Thread(target=_pump_progress, args=(process.stdout, parser, reports), daemon=True),
        threading.Thread(target=_pump_tail, args=(process.stderr, tail), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        for report in _until_eof(reports, should_cancel):
            if on_progress is not None:
                on_progress(*report)
        returncode = process.wait()
    except BaseException:
        _stop_group_sync(process)
        raise
    finally:
        for reader in readers:
            reader.join()
        process.stdout.close()
        process.stderr.close()
    result = _finish(argv, returncode, tail, started)
    if on_progress is not None:
        on_progress(*parser.finish())
    return result


def _until_eof(
    reports: queue.Queue[Report | None], should_cancel: Callable[[], bool] | None
) -> Iterator[Report]:
    """Yield reports until stdout closes, checking ``should_cancel`` between them."""
    while True:
        try:
            report = reports.get(timeout=_CANCEL_POLL_S)
        except queue.Empty:
            report = None
        else:
            if report is _EOF:
                return
        if should_cancel is not None and should_cancel():
            raise concurrent.futures.CancelledError("ffmpeg run cancelled")
        if report is not None:
            yield report


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    # read1 returns what the pipe holds now instead of waiting to fill a whole buffer.
    read = getattr(stream, "read1", stream.read)
    while chunk := read(65536):
        yield chunk


def _pump_progress(stream: IO[bytes], parser: ProgressParser, reports: queue.Queue[Report | None]) -> None:
    splitter = LineSplitter()
    try:
        for chunk in _chunks(stream):
            for line in splitter.feed(chunk):
                report = parser.feed(line)
                if report is not None:
                    reports.put(report)
    finally:
        reports.put(_EOF)


def _pump_tail(stream: IO[bytes], tail: deque[str]) -> None:
    splitter = LineSplitter()
    for chunk in _chunks(stream):
        tail.extend(splitter.feed(chunk))
    tail.extend(splitter.flush())


def _stop_group_sync(process: subprocess.Popen[bytes]) -> None:
    _signal_group(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=_TERMINATE_GRACE_S)
    _signal_group(process.pid, signal.SIGKILL)
    process.wait()
