"""Lines drawn on the sphere (contours, routes): an equirectangular mask the shaders sample.

The lines are rasterised once per render into a latitude/longitude mask, so drawing them costs
one texture lookup per lit pixel whatever the number of lines, identically in NumPy and torch.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from muscles.video.planet.geometry import LatLon, angle_between, latlon_of, unit_of

__all__ = ["MASK_HEIGHT", "Overlay", "overlay_mask"]

MASK_HEIGHT = 512  # rows of the mask: 180 / 512 = 0.35 degrees per texel
_SAMPLES_PER_TEXEL = 2


class Overlay(BaseModel):
    """Polylines on the sphere (latitude/longitude points), drawn in ``color``."""

    model_config = ConfigDict(extra="forbid")

    lines: list[list[LatLon]] = Field(default_factory=list)
    color: str = Field(default="#ffffff", description="#RRGGBB")
    width_deg: float = Field(default=0.8, description="Line width in degrees of arc")


def overlay_mask(overlay: Overlay) -> NDArray[np.float32]:
    """A (MASK_HEIGHT, 2 * MASK_HEIGHT) mask, 1 on the lines; rows from lat -90, columns from lon -180."""
    height, width = MASK_HEIGHT, 2 * MASK_HEIGHT
    texel = 180.0 / height
    mask = np.zeros((height, width), dtype=np.float32)
    radius = max(0, round(overlay.width_deg / texel / 2))
    for line in overlay.lines:
        if not line:
            continue
        units = unit_of([p.lat for p in line], [p.lon for p in line])
        dense = [units[:1]]
        for a, b in itertools.pairwise(units):
            steps = max(1, int(np.ceil(float(angle_between(a, b)) / np.radians(texel) * _SAMPLES_PER_TEXEL)))
            share = np.linspace(0.0, 1.0, steps + 1)[1:, None]
            dense.append(a * (1 - share) + b * share)  # normalised by latlon_of
        lat, lon = latlon_of(np.concatenate(dense))
        rows = np.clip(((lat + 90.0) / texel).astype(int), 0, height - 1)
        cols = ((lon + 180.0) / texel).astype(int) % width
        for dr in range(-radius, radius + 1):
            for dc in range(-radius, radius + 1):
                mask[np.clip(rows + dr, 0, height - 1), (cols + dc) % width] = 1.0
    return mask
