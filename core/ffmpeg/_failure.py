"""The FfmpegFailed a run ends with, fit to reach a remote client.

Its message and ``details.stderr_tail`` are ffmpeg's own words with every absolute path of
the command line (inputs, outputs, option files) cut to its base name. The command line
itself is not in the error: it names the server's paths, so the runner logs it at DEBUG.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Sequence

from core._scrub import scrub_paths
from core.errors import FfmpegFailed

__all__ = ["exit_failure", "start_failure"]


def exit_failure(argv: Sequence[str], returncode: int, tail: Sequence[str]) -> FfmpegFailed:
    """FfmpegFailed for a run that ended with a non-zero status, given its last stderr lines."""
    paths = _absolute_paths(argv)
    reason = f"ffmpeg exited with status {returncode}"
    if returncode < 0:  # Popen's way of saying "killed by signal -returncode"
        with contextlib.suppress(ValueError):
            reason = f"ffmpeg was killed by {signal.Signals(-returncode).name}"
    last_line = scrub_paths(tail[-1], paths).strip() if tail else ""
    return FfmpegFailed(
        f"{reason}: {last_line}" if last_line else reason,
        value=returncode,
        details={"stderr_tail": scrub_paths("\n".join(tail), paths)},
    )


def start_failure(argv: Sequence[str], exc: OSError) -> FfmpegFailed:
    """FfmpegFailed for an ffmpeg that could not be started at all."""
    return FfmpegFailed(
        f"could not start ffmpeg: {exc.strerror or exc}",
        value=argv[0],
        hint="Check that the ffmpeg binary exists and is executable.",
    )


def _absolute_paths(argv: Sequence[str]) -> list[str]:
    """The arguments that name an absolute path, with or without a ``file:`` prefix."""
    return [plain for arg in argv if os.path.isabs(plain := arg.removeprefix("file:"))]
