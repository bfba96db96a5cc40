"""Equirect pictures of known patterns, made at test time from the direction of each pixel."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def sphere_pattern(height: int = 512, width: int = 1024) -> npt.NDArray[np.uint8]:
    """Colours that vary smoothly over the sphere (functions of the unit vector, so the poles and
    the seam are continuous too): what a resampling round trip can restore."""
    rows, cols = np.mgrid[0:height, 0:width]
    lon = ((cols + 0.5) / width - 0.5) * 2 * np.pi
    lat = -((rows + 0.5) / height - 0.5) * np.pi
    x, y, z = np.cos(lat) * np.sin(lon), np.sin(lat), np.cos(lat) * np.cos(lon)
    channels = [
        127 + 120 * np.sin(3 * x + y),
        127 + 120 * np.cos(4 * y * z + 2 * x),
        127 + 120 * np.sin(5 * z),
    ]
    return np.stack(channels, -1).round().clip(0, 255).astype(np.uint8)


def checker_pattern(height: int = 256, width: int = 512) -> npt.NDArray[np.uint8]:
    """Hard edges (a checkerboard in green) over gradients: any shift of a sample shows."""
    rows, cols = np.mgrid[0:height, 0:width]
    red = 127 + 100 * np.sin(cols / width * 2 * np.pi * 3) * np.cos(rows / height * np.pi * 2)
    green = ((cols // 32 + rows // 32) % 2) * 255
    blue = rows / height * 255
    return np.stack([red, green, blue], -1).clip(0, 255).astype(np.uint8)


def mean_abs_diff(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    """Mean absolute difference as a share of full scale (1/255 is one level)."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean()) / 255
