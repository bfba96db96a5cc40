"""Sphere geometry shared by the planet muscles: z is the north pole, x points at lat 0 lon 0.

Latitudes and longitudes are degrees; vectors are numpy arrays whose last axis is (x, y, z).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict

__all__ = ["LatLon", "angle_between", "east_north", "latlon_of", "unit_of"]

F64 = NDArray[np.float64]


class LatLon(BaseModel):
    """A point on the sphere in degrees: latitude -90..90 (north +), longitude -180..180 (east +)."""

    model_config = ConfigDict(extra="forbid")

    lat: float
    lon: float


def unit_of(lat_deg: ArrayLike, lon_deg: ArrayLike) -> F64:
    """Unit vectors of latitudes/longitudes (any matching shapes), stacked on the last axis."""
    lat, lon = (
        np.radians(np.asarray(lat_deg, dtype=np.float64)),
        np.radians(np.asarray(lon_deg, dtype=np.float64)),
    )
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def latlon_of(unit: ArrayLike) -> tuple[F64, F64]:
    """Latitude and longitude (degrees) of vectors (normalised here)."""
    v = np.asarray(unit, dtype=np.float64)
    v = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return np.degrees(np.arcsin(np.clip(v[..., 2], -1.0, 1.0))), np.degrees(np.arctan2(v[..., 1], v[..., 0]))


def east_north(lat_deg: float, lon_deg: float) -> tuple[F64, F64]:
    """The unit east and north tangents at a point; at a pole they follow the given longitude."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    north = np.array([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
    return east, north


def angle_between(a: ArrayLike, b: ArrayLike) -> F64:
    """Angles (radians) between unit vectors, stable for tiny and near-antipodal angles."""
    u, v = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    angles: F64 = np.arctan2(np.linalg.norm(np.cross(u, v), axis=-1), np.sum(u * v, axis=-1))
    return angles
