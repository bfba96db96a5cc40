"""The font drawtext burns timecodes with."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

__all__ = ["default_font"]


@functools.cache
def default_font() -> str | None:
    """A sans font file (fontconfig's pick), or None to let ffmpeg choose.

    The same lookup as video_render's; a shared home in core would serve both."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = found.stdout.strip()
    return path if found.returncode == 0 and path and Path(path).is_file() else None
