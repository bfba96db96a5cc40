"""What air_canvas's declared examples read: the synthetic air-drawing video (lossless x264,
the same bytes on every CPU), stored in media_v2."""

from __future__ import annotations

from pathlib import Path

from .scene import write_scene

REGISTERED = ("samples/air-drawing.mp4",)


def write_samples(import_root: Path) -> None:
    write_scene(import_root / "samples" / "air-drawing.mp4")
