"""Fonts the video muscles draw text with: one lookup, shared by video_render (overlays and
captions) and video_review (timecodes)."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

__all__ = ["default_font"]


@functools.cache
def default_font() -> str | None:
    """A sans font file (fontconfig's pick), or None to let the drawing code choose."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "sans"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = found.stdout.strip()
    return path if found.returncode == 0 and path and Path(path).is_file() else None
