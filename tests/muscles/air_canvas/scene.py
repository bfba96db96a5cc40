"""A synthetic air-drawing video: an orange disc traces a circle, travels fast to the start of
a letter L, traces it, with pauses between, and vanishes for a few frames halfway along the
L's foot. The path it follows is known exactly, frame by frame."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np

from core.ffmpeg import FrameWriter

WIDTH, HEIGHT, FPS = 320, 240, 25
CIRCLE_CENTRE: Final = (100.0, 120.0)
CIRCLE_RADIUS: Final = 50.0
L_TOP: Final = (220.0, 70.0)
L_CORNER: Final = (220.0, 170.0)
L_END: Final = (280.0, 170.0)
ORANGE: Final = (255, 140, 0)
BACKGROUND: Final = (40, 60, 90)
# Lossless x264 in 4:4:4, so the disc's colour reaches the muscle as drawn; one thread and
# bit-exact muxing, so the file (and its asset id) is the same on every machine.
LOSSLESS: Final = (
    *("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv444p", "-threads", "1"),
    *("-x264-params", "threads=1", "-flags:v", "+bitexact", "-fflags", "+bitexact", "-map_metadata", "-1"),
)


@dataclass(frozen=True)
class Position:
    xy: tuple[float, float] | None  # None: the disc is hidden
    phase: str  # "pause", "circle", "travel", "letter"


def _line(a: tuple[float, float], b: tuple[float, float], frames: int, phase: str) -> list[Position]:
    return [
        Position((a[0] + (b[0] - a[0]) * i / frames, a[1] + (b[1] - a[1]) * i / frames), phase)
        for i in range(1, frames + 1)
    ]


def script() -> list[Position]:
    """Where the disc is in each frame (about 6 s at 25 fps)."""
    start = (CIRCLE_CENTRE[0] + CIRCLE_RADIUS, CIRCLE_CENTRE[1])
    frames = [Position(start, "pause")] * 10
    # The circle in 2.4 s: about 130 px/s, well under the pen's lift speed.
    steps = 60
    frames += [
        Position(
            (
                CIRCLE_CENTRE[0] + CIRCLE_RADIUS * math.cos(2 * math.pi * i / steps),
                CIRCLE_CENTRE[1] + CIRCLE_RADIUS * math.sin(2 * math.pi * i / steps),
            ),
            "circle",
        )
        for i in range(1, steps + 1)
    ]
    frames += [Position(start, "pause")] * 10
    # Fast travel to the letter: about 1000 px/s.
    frames += _line(start, L_TOP, 4, "travel")
    frames += [Position(L_TOP, "pause")] * 10
    # The L's stem in 1.6 s (62 px/s), then its foot, hidden for 4 frames halfway.
    frames += _line(L_TOP, L_CORNER, 40, "letter")
    foot = _line(L_CORNER, L_END, 30, "letter")
    frames += foot[:13] + [Position(None, "letter")] * 4 + foot[17:]
    frames += [Position(L_END, "pause")] * 10
    return frames


def render(position: Position) -> np.ndarray:
    frame = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    frame[:] = BACKGROUND
    if position.xy is not None:
        centre = (round(position.xy[0] * 16), round(position.xy[1] * 16))
        cv2.circle(frame, centre, 9 * 16, ORANGE, -1, cv2.LINE_AA, shift=4)
    return frame


def write_scene(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with FrameWriter(path, width=WIDTH, height=HEIGHT, fps=FPS, video_args=LOSSLESS) as out:
        for position in script():
            out.write(render(position))
    return path


def distance_to_drawing(x: float, y: float) -> float:
    """Pixels from (x, y) to the nearest point of the circle or the L."""
    to_circle = abs(math.dist((x, y), CIRCLE_CENTRE) - CIRCLE_RADIUS)
    return min(to_circle, _to_segment((x, y), L_TOP, L_CORNER), _to_segment((x, y), L_CORNER, L_END))


def _to_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = b[0] - a[0], b[1] - a[1]
    u = max(0.0, min(1.0, ((p[0] - a[0]) * ax + (p[1] - a[1]) * ay) / (ax * ax + ay * ay)))
    return math.dist(p, (a[0] + u * ax, a[1] + u * ay))
