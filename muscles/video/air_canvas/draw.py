"""One pass over the video: find the marker, move the pen, draw the strokes so far on the
frame, encode it (the frame pipe of muscles.video.frames). Blocking: it runs on a worker
thread, and a cancelled call stops between frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np

from core import Progress
from core.media import OpenedMedia
from muscles.video.frames import Frame, map_video

from .models import Marker, Pen, Strokes
from .pen import PenTracker
from .tracking import find_marker

__all__ = ["Traced", "trace"]

_INK: Final = (0, 255, 255)  # cyan on the picture: it stands out from an orange marker


@dataclass(frozen=True)
class Traced:
    drawing: Strokes
    frames: int
    frames_with_marker: int


def _draw(frame: Frame, tracker: PenTracker, thickness: int) -> Frame:
    canvas = frame.copy()
    for stroke in tracker.strokes:
        if len(stroke.points) > 1:
            line = np.array([[round(p.x), round(p.y)] for p in stroke.points], np.int32)
            cv2.polylines(canvas, [line], False, _INK, thickness, cv2.LINE_AA)
    return canvas


def trace(
    media: OpenedMedia, out: Path, marker: Marker, pen: Pen, thickness: int, progress: Progress
) -> Traced:
    info = media.info
    assert info.width and info.height
    fps = info.fps or 25.0
    tracker = PenTracker(pen, info.width, info.height, fps)
    seen = 0

    def follow(index: int, frame: Frame) -> Frame:
        nonlocal seen
        centroid = find_marker(frame, marker)
        seen += centroid is not None
        tracker.update(index, centroid)
        return _draw(frame, tracker, thickness)

    frames = map_video(media, out, (info.height, info.width), follow, progress, share=0.85)
    # A stroke of one point is a touch between two travels, not a line.
    strokes = [stroke for stroke in tracker.strokes if len(stroke.points) > 1]
    return Traced(Strokes(width=info.width, height=info.height, fps=fps, strokes=strokes), frames, seen)
