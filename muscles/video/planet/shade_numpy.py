"""The surface shader in NumPy: one vectorised ray-sphere intersection per pixel, then Lambert
light on the seeded surface, a fresnel rim glow on the limb and a soft halo around it.

A frame is split in two: :func:`geometry` (what depends on the view only: which pixels hit the
sphere, where, how lit, and the glow) and :func:`compose` (what moves with time: the spinning
surface, evaluated on the lit pixels only). A fixed view makes its geometry once per render.
:mod:`.shade_torch` is the same arithmetic in torch, step for step; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from muscles.video.planet.surface import Material

__all__ = ["AMBIENT", "HALO_WIDTH", "RIM_POWER", "RIM_SHARE", "Geometry", "compose", "geometry", "shade"]

AMBIENT = 0.06  # the night side is not pitch black
RIM_POWER = 3.0  # how tightly the rim glow hugs the limb
RIM_SHARE = 0.9
HALO_WIDTH = 0.12  # radii over which the halo falls to 1/e beyond the limb
_F = NDArray[np.float32]


@dataclass(frozen=True)
class Geometry:
    """One view of the sphere: the glow of every pixel, and the sphere's pixels (flat indices)
    with their latitude, unspun longitude and light."""

    shape: tuple[int, int]
    glow: _F  # (pixels, 3)
    hit: NDArray[np.int64]
    lat: _F
    lon: _F
    lit: _F


def geometry(rays: _F, origin: NDArray[np.float64], m: Material) -> Geometry:
    o = origin.astype(np.float32)
    b = rays @ o
    c = np.float32(o @ o - 1.0)
    disc = b * b - c
    t = -b - np.sqrt(np.maximum(disc, 0.0))
    hit = (disc >= 0) & (t > 0)
    n = o + t[..., None] * rays
    n = (n / np.linalg.norm(n, axis=-1, keepdims=True)).astype(np.float32)
    facing = np.clip(-np.sum(rays * n, axis=-1), 0.0, 1.0)
    rim = (1.0 - facing) ** RIM_POWER * (m.glow_intensity * RIM_SHARE)
    closest = np.sqrt(np.maximum(c + 1.0 - np.where(b < 0, b * b, 0.0), 1.0))
    halo = m.glow_intensity * np.exp(-(closest - 1.0) / HALO_WIDTH)
    glow = (m.glow * np.where(hit, rim, halo)[..., None]).reshape(-1, 3)
    index = np.flatnonzero(hit)
    normals = n.reshape(-1, 3)[index]
    lit = AMBIENT + (1.0 - AMBIENT) * np.maximum(normals @ m.light, 0.0)
    lat = np.arcsin(np.clip(normals[:, 2], -1.0, 1.0))
    lon = np.arctan2(normals[:, 1], normals[:, 0])
    return Geometry(rays.shape[:2], glow.astype(np.float32), index, lat, lon, lit.astype(np.float32))


def compose(g: Geometry, time_s: float, m: Material) -> NDArray[np.uint8]:
    """The frame at ``time_s``: the spun surface on the sphere's pixels, over the glow."""
    lon = g.lon - np.float32(m.spin_rad_per_s * time_s)
    surface = m.base * (g.lit * (1.0 + m.noise_amplitude * _noise(g.lat, lon, m)))[:, None]
    if m.mask is not None:
        line = _lookup(m.mask, g.lat, lon)[:, None]
        surface = surface * (1.0 - line) + m.mask_color * (g.lit[:, None] * line)
    colour = g.glow.copy()
    colour[g.hit] += surface
    frame = (np.clip(colour, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return frame.reshape(*g.shape, 3)


def shade(rays: _F, origin: NDArray[np.float64], time_s: float, m: Material) -> NDArray[np.uint8]:
    """An RGB frame (height, width, 3) of the unit sphere seen along ``rays`` from ``origin``."""
    return compose(geometry(rays, origin, m), time_s, m)


def _noise(lat: _F, lon: _F, m: Material) -> _F:
    if m.noise == "bands":
        total = np.zeros_like(lat)
        for k in range(m.band_freq.size):
            bend = m.band_warp[k] * np.sin(m.band_lon_freq[k] * lon + m.band_phase[k, 0])
            total += np.sin(m.band_freq[k] * lat + bend + m.band_phase[k, 1])
        return total / np.float32(m.band_freq.size)
    if m.noise == "speckle":
        return _lookup(m.speckle, lat, lon)
    return np.zeros_like(lat)


def _lookup(texture: _F, lat: _F, lon: _F) -> _F:
    """Nearest texel of an equirectangular texture (rows from the south pole, columns from -180)."""
    rows, cols = texture.shape
    row = np.clip(((lat + np.pi / 2) / np.pi * rows).astype(np.int64), 0, rows - 1)
    col = (np.mod(lon + np.pi, 2 * np.pi) / (2 * np.pi) * cols).astype(np.int64) % cols
    picked: _F = texture[row, col]
    return picked
