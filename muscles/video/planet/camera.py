"""Cameras and their rays: the orbit view of the renderer and the walker's view of the preview.

The sphere has radius 1 at the origin. A view is a position, a forward axis and an up axis;
rays go through pixel centres with a vertical field of view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["WALKER_PITCH_DEG", "View", "orbit_view", "ray_directions", "walker_view"]


@dataclass(frozen=True)
class View:
    position: NDArray[np.float64]
    forward: NDArray[np.float64]
    up: NDArray[np.float64]


def orbit_view(distance: float) -> View:
    """On the -y axis looking at the centre, north up."""
    return View(np.array([0.0, -distance, 0.0]), np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0]))


WALKER_PITCH_DEG = 20.0  # the walker looks this far below the horizon line: ground in view


def walker_view(
    position: NDArray[np.float64], normal: NDArray[np.float64], forward: NDArray[np.float64], radius: float
) -> View:
    """The runner's camera (metres) on the unit sphere: looking along the path, pitched down by
    WALKER_PITCH_DEG, the normal up."""
    pitch = math.radians(WALKER_PITCH_DEG)
    look = math.cos(pitch) * forward - math.sin(pitch) * normal
    up = math.sin(pitch) * forward + math.cos(pitch) * normal
    return View(position / radius, look, up)


def ray_directions(width: int, height: int, fov_deg: float, view: View) -> NDArray[np.float32]:
    """Unit ray directions (height, width, 3) through the pixel centres."""
    forward = view.forward / np.linalg.norm(view.forward)
    right = np.cross(forward, view.up)
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    half = math.tan(math.radians(fov_deg) / 2)
    xs = ((np.arange(width) + 0.5) / width * 2 - 1) * half * width / height
    ys = (1 - (np.arange(height) + 0.5) / height * 2) * half
    rays = forward + xs[None, :, None] * right + ys[:, None, None] * up
    unit: NDArray[np.float32] = (rays / np.linalg.norm(rays, axis=-1, keepdims=True)).astype(np.float32)
    return unit
