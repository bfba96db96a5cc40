"""Contour lines of metrics on a latitude/longitude grid, as geometry on the sphere.

A global grid (longitudes covering the whole circle) is wrapped so a line crossing the date
line closes; line points are interpolated linearly between grid nodes, lengths are sums of
great-circle arcs. Levels the data never reaches give no lines (not an error).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from muscles.video.planet.errors import PlanetInvalid
from muscles.video.planet.geometry import LatLon, angle_between, unit_of
from muscles.video.planet.marching import iso_lines
from muscles.video.planet.overlay import Overlay

__all__ = ["ContourLine", "ContourRequest", "Contours", "LatLonGrid", "contour"]

MAX_CELLS = 4_000_000
_WRAP_TOLERANCE_DEG = 1e-6


class LatLonGrid(BaseModel):
    """Values (rows: latitudes, columns: longitudes) on a regular or irregular grid, in degrees."""

    model_config = ConfigDict(extra="forbid")

    lat_deg: list[float] = Field(description="Strictly increasing, within -90..90")
    lon_deg: list[float] = Field(description="Strictly increasing, within -180..180")
    values: list[list[float]] = Field(description="One row per latitude, one value per longitude")


class ContourRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grid: LatLonGrid
    levels: list[float] = Field(description="The values to draw lines at")
    radius_m: float = Field(default=1.0, description="Sphere radius for 3-D points and lengths")


class ContourLine(BaseModel):
    level: float
    closed: bool = Field(description="True when the line returns to its start (its last point is its first)")
    points: list[LatLon]
    points_xyz: list[tuple[float, float, float]] = Field(description="The points on the sphere of radius_m")
    length_m: float = Field(description="Sum of the great-circle arcs between consecutive points")


class Contours(BaseModel):
    lines: list[ContourLine]
    line_count: int
    overlay: Overlay = Field(description="The lines, ready for the surface renderer's overlay input")


def _check(request: ContourRequest) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat = np.asarray(request.grid.lat_deg, dtype=np.float64)
    lon = np.asarray(request.grid.lon_deg, dtype=np.float64)
    for name, axis, bound in (("grid.lat_deg", lat, 90.0), ("grid.lon_deg", lon, 180.0)):
        if axis.size < 2 or not np.all(np.isfinite(axis)) or np.any(np.diff(axis) <= 0):
            raise PlanetInvalid(f"{name} needs at least two finite, strictly increasing values", value=name)
        if np.any(np.abs(axis) > bound):
            raise PlanetInvalid(f"{name} must lie within -{bound:g}..{bound:g}", value=name)
    if lat.size * lon.size > MAX_CELLS:
        raise PlanetInvalid(f"the grid has more than {MAX_CELLS} nodes", value="grid.values")
    if len(request.grid.values) != lat.size or any(len(row) != lon.size for row in request.grid.values):
        raise PlanetInvalid(
            f"grid.values must be {lat.size} rows of {lon.size} values (one per latitude, per longitude)",
            value="grid.values",
        )
    values = np.asarray(request.grid.values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise PlanetInvalid("grid.values holds a NaN or infinity", value="grid.values")
    if not all(math.isfinite(level) for level in request.levels):
        raise PlanetInvalid("levels must be finite numbers", value="levels")
    if not math.isfinite(request.radius_m) or request.radius_m <= 0:
        raise PlanetInvalid("radius_m must be > 0", value="radius_m")
    return lat, lon, values


def _r(value: float) -> float:
    # Nine decimals: the same digits on every machine's libm; + 0.0 drops negative zeros.
    return round(float(value), 9) + 0.0


def contour(request: ContourRequest) -> Contours:
    lat, lon, values = _check(request)
    step = float(lon[-1] - lon[0]) / (lon.size - 1)
    wrap = abs(lon[-1] - lon[0] + step - 360.0) < max(_WRAP_TOLERANCE_DEG, step * 1e-6)
    if wrap:
        # A global grid: repeat the first column past the last so lines close across the seam.
        lon, values = np.append(lon, lon[0] + 360.0), np.concatenate([values, values[:, :1]], axis=1)
    lines = []
    for level in request.levels:
        for points, closed in iso_lines(values, level, wrap_columns=wrap):
            rows, cols = np.array(points).T
            lats = np.interp(rows, np.arange(lat.size), lat)
            lons = np.interp(cols, np.arange(lon.size), lon)
            lons = (lons + 180.0) % 360.0 - 180.0
            units = unit_of(lats, lons)
            length = float(angle_between(units[:-1], units[1:]).sum()) * request.radius_m
            xyz = units * request.radius_m
            lines.append(
                ContourLine(
                    level=level,
                    closed=closed,
                    points=[LatLon(lat=_r(a), lon=_r(o)) for a, o in zip(lats, lons, strict=True)],
                    points_xyz=[(_r(x), _r(y), _r(z)) for x, y, z in xyz],
                    length_m=_r(length),
                )
            )
    overlay = Overlay(lines=[line.points for line in lines])
    return Contours(lines=lines, line_count=len(lines), overlay=overlay)
