"""Contours over a real MCP client: a radial field gives circles at the expected latitude (and
around an off-pole centre), levels outside the data give nothing, bad grids are coded; the
overlay draws the lines on the rendered sphere."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

from muscles.video.planet.geometry import angle_between, unit_of
from tests.muscles.video_planet_surface_renderer.conftest import PlanetServer, planet_server

LAT = np.linspace(-90, 90, 91)
LON = np.arange(-180, 180, 3.0)


@pytest.fixture
def contours(tmp_path: Path) -> Iterator[PlanetServer]:
    yield planet_server("video_planet_contours", tmp_path)


def _calls(server: PlanetServer, calls: list[dict[str, Any]]) -> list[tuple[bool, dict[str, Any]]]:
    async def run() -> list[tuple[bool, dict[str, Any]]]:
        with anyio.fail_after(60):
            async with server.session() as client:
                return [await server.call(client, "contours", args) for args in calls]

    return anyio.run(run)


def _radial(centre_lat: float, centre_lon: float) -> dict[str, Any]:
    """Degrees of arc from a centre point: its contours are circles around it."""
    lat, lon = np.meshgrid(LAT, LON, indexing="ij")
    values = np.degrees(angle_between(unit_of(lat, lon), unit_of(centre_lat, centre_lon)))
    return {"lat_deg": LAT.tolist(), "lon_deg": LON.tolist(), "values": values.tolist()}


def test_a_radial_field_gives_closed_circles_at_the_expected_latitude(contours: PlanetServer) -> None:
    radius = 6.0
    ((is_error, polar), (_, tilted)) = _calls(
        contours,
        [
            {"grid": _radial(90, 0), "levels": [30.0, 75.0], "radius_m": radius},
            {"grid": _radial(20, 170), "levels": [25.0]},  # crosses the date line
        ],
    )
    assert not is_error, polar
    assert polar["line_count"] == 2
    for line, latitude in zip(polar["lines"], (60.0, 15.0), strict=True):
        assert line["closed"] and line["points"][0] == line["points"][-1]
        lats = [p["lat"] for p in line["points"]]
        assert max(abs(lat - latitude) for lat in lats) < 0.05, line["level"]
        for x, y, z in line["points_xyz"]:
            assert math.sqrt(x * x + y * y + z * z) == pytest.approx(radius, rel=1e-9)
        assert line["length_m"] == pytest.approx(
            2 * math.pi * radius * math.cos(math.radians(latitude)), rel=2e-3
        )
    (circle,) = tilted["lines"]
    assert circle["closed"]
    points = unit_of([p["lat"] for p in circle["points"]], [p["lon"] for p in circle["points"]])
    arcs = np.degrees(angle_between(points, unit_of(20, 170)))
    assert np.abs(arcs - 25.0).max() < 0.1
    assert min(p["lon"] for p in circle["points"]) < -170 and max(p["lon"] for p in circle["points"]) > 170
    assert tilted["overlay"]["lines"] == [circle["points"]]


def test_levels_outside_the_data_give_an_empty_result_not_an_error(contours: PlanetServer) -> None:
    ((is_error, content),) = _calls(contours, [{"grid": _radial(90, 0), "levels": [-5.0, 181.0]}])
    assert not is_error, content
    assert content["lines"] == [] and content["line_count"] == 0 and content["overlay"]["lines"] == []


def test_bad_grids_are_coded_errors_naming_the_field(contours: PlanetServer) -> None:
    good = _radial(90, 0)
    bad = {
        "grid.lat_deg": {"grid": {**good, "lat_deg": list(reversed(good["lat_deg"]))}, "levels": [1.0]},
        "grid.lon_deg": {"grid": {**good, "lon_deg": [x + 400 for x in good["lon_deg"]]}, "levels": [1.0]},
        "grid.values": {"grid": {**good, "values": good["values"][:-1]}, "levels": [1.0]},
        "radius_m": {"grid": good, "levels": [1.0], "radius_m": 0},
    }
    for field, (is_error, content) in zip(bad, _calls(contours, list(bad.values())), strict=True):
        assert is_error, field
        assert content["error"]["code"] == "planet_invalid" and content["error"]["value"] == field
        assert content["error"]["hint"]


def test_the_overlay_draws_the_lines_on_the_rendered_sphere() -> None:
    from muscles.video.planet.camera import orbit_view, ray_directions
    from muscles.video.planet.contours import ContourRequest, contour
    from muscles.video.planet.shade_numpy import shade
    from muscles.video.planet.surface import SurfaceParams, material

    latitudes = np.repeat(LAT[:, None], LON.size, axis=1)
    grid = {"lat_deg": LAT.tolist(), "lon_deg": LON.tolist(), "values": latitudes.tolist()}
    lines = contour(ContourRequest.model_validate({"grid": grid, "levels": [0.0]}))
    params = {
        "noise": "none",
        "width": 160,
        "height": 96,
        "camera_distance": 3.0,
        "light_direction": {"x": 0, "y": -1, "z": 0},
    }
    plain = SurfaceParams.model_validate(params)
    drawn = SurfaceParams.model_validate(
        {**params, "overlay": {**lines.overlay.model_dump(), "color": "#ff0000"}}
    )
    view = orbit_view(3.0)
    rays = ray_directions(160, 96, plain.fov_deg, view)
    without = shade(rays, view.position, 0.0, material(plain)).astype(int)
    with_line = shade(rays, view.position, 0.0, material(drawn)).astype(int)
    changed = np.argwhere(np.abs(with_line - without).sum(axis=-1) > 0)
    # The equator seen from the equatorial plane is the sphere's horizontal diameter: the middle rows.
    assert changed.size and set(changed[:, 0]) <= {46, 47, 48, 49}
    assert with_line[47, 80, 0] > 200 and with_line[47, 80, 2] < 60  # red on the line


def test_the_contours_overlay_goes_into_the_renderer_over_mcp(contours: PlanetServer, tmp_path: Path) -> None:
    latitudes = np.repeat(LAT[:, None], LON.size, axis=1)
    grid = {"lat_deg": LAT.tolist(), "lon_deg": LON.tolist(), "values": latitudes.tolist()}
    ((is_error, lines),) = _calls(contours, [{"grid": grid, "levels": [0.0]}])  # the equator
    assert not is_error, lines
    renderer = planet_server("video_planet_surface_renderer", tmp_path / "renderer")
    surface = {
        "width": 160,
        "height": 96,
        "duration_s": 0.25,
        "fps": 8,
        "noise": "none",
        "camera_distance": 3.0,
        "light_direction": {"x": 0, "y": -1, "z": 0},
        "overlay": {**lines["overlay"], "color": "#ff0000", "width_deg": 2.0},
    }

    async def render() -> tuple[bool, dict[str, Any]]:
        with anyio.fail_after(60):
            async with renderer.session() as client:
                return await renderer.call(client, "render", {"surface": surface, "engine": "numpy"})

    is_error, rendered = anyio.run(render)
    assert not is_error, rendered
    frame = renderer.frames(rendered["media"]["uri"], 160, 96)[0].astype(int)
    line, above = frame[47:49, 70:90].reshape(-1, 3).mean(axis=0), frame[30, 70:90].mean(axis=0)
    assert line[0] > 150 and line[2] < 90, line  # red where the equator crosses the disc
    assert above[2] > above[0], above  # the blue surface above it
