"""video_planet_contours: iso-lines of a latitude/longitude metric grid as geometry on the sphere."""

from __future__ import annotations

from core import Muscle, tool
from muscles.video.planet.contours import ContourRequest, Contours, LatLonGrid, contour
from muscles.video.planet.errors import PlanetInvalid

from .examples import CONTOURS, OUT_OF_RANGE


class VideoPlanetContours(Muscle):
    """Turns usage-intensity metrics on a latitude/longitude grid into contour lines on the HAZE
    planet (marching squares at the levels asked for): each line as latitude/longitude points
    and 3-D points on the sphere, with its level, length and whether it closes. The result's
    `overlay` goes straight into video_planet_surface_renderer's `surface.overlay`, which draws
    the lines on the sphere.
    """

    version = "1.0.0"
    capabilities = ("cap.video.planet_contours",)

    @tool(examples=[CONTOURS, OUT_OF_RANGE], errors=[PlanetInvalid], read_only=True, idempotent=True)
    def contours(self, grid: LatLonGrid, levels: list[float], radius_m: float = 1.0) -> Contours:
        """Contour lines of `grid` (rows: `lat_deg`, columns: `lon_deg`) at each of `levels`.

        A grid whose longitudes go all the way round wraps, so lines close across the date line.
        Lengths are great-circle arcs on a sphere of `radius_m`. A level the data never reaches
        gives no line (not an error); a malformed grid is planet_invalid naming the field."""
        return contour(ContourRequest(grid=grid, levels=levels, radius_m=radius_m))
