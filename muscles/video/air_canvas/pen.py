"""The pen: follows the marker with a P-controller, and lifts when the marker moves fast.

Each frame the pen moves ``gain`` of the way to the marker's centroid, which smooths the
centroid's jitter. The marker's own speed (centroid to centroid) decides the pen: above
``lift_speed_px_s`` it is travel and the pen is up; at or below, the pen draws. A pen that
comes down (after travel, or after frames without the marker) lands on the marker itself,
so no stroke ever starts with the controller still catching up, and a gap never becomes a line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .models import Pen, Point, Stroke

__all__ = ["PenTracker"]


@dataclass
class PenTracker:
    pen: Pen
    width: int
    height: int
    fps: float
    strokes: list[Stroke] = field(default_factory=list)
    _position: tuple[float, float] | None = None
    _last_seen: tuple[float, float] | None = None
    _drawing: bool = False

    def update(self, index: int, centroid: tuple[float, float] | None) -> None:
        """Feed frame ``index``'s centroid (None: marker not found)."""
        if centroid is None:
            self._last_seen = None
            self._drawing = False
            return
        speed = math.inf if self._last_seen is None else math.dist(centroid, self._last_seen) * self.fps
        self._last_seen = centroid
        down = speed <= self.pen.lift_speed_px_s
        if down and not self._drawing:
            self._position = centroid
            self.strokes.append(Stroke(points=[]))
        elif down and self._position is not None:
            gain = self.pen.gain
            self._position = (
                self._position[0] + gain * (centroid[0] - self._position[0]),
                self._position[1] + gain * (centroid[1] - self._position[1]),
            )
        self._drawing = down
        if down and self._position is not None:
            x, y = self._position
            self.strokes[-1].points.append(
                Point(
                    t=round(index / self.fps, 6),
                    x=round(x, 3),
                    y=round(y, 3),
                    nx=round(x / self.width, 6),
                    ny=round(y / self.height, 6),
                )
            )
