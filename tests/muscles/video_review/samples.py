"""What video_review's declared examples read: colour shots with cuts (one between shots of
equal brightness), stored in media_v2 (x264 gives the same bytes on every machine)."""

from __future__ import annotations

from pathlib import Path

from tests.media_samples import write_colour_shots

REGISTERED = ("samples/shots.mp4",)


def write_samples(import_root: Path) -> None:
    write_colour_shots(import_root / "samples" / "shots.mp4")
