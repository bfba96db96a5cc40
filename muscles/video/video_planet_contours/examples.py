"""video_planet_contours' declared examples, proven by tests/muscles/test_examples.py."""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

_LAT: list[JsonValue] = [-90.0, -60.0, -30.0, 0.0, 30.0, 60.0, 90.0]
_LON: list[JsonValue] = [-180.0, -120.0, -60.0, 0.0, 60.0, 120.0]
# Usage that grows towards the north pole: the value is the latitude itself.
GRID: dict[str, JsonValue] = {"lat_deg": _LAT, "lon_deg": _LON, "values": [[lat] * len(_LON) for lat in _LAT]}

CONTOURS = ToolExample(
    title="The 45 line of a field that grows northwards: a closed circle at latitude 45",
    request={"grid": GRID, "levels": [45.0], "radius_m": 1.0},
    response={
        "lines": [
            {
                "level": 45.0,
                "closed": True,
                "points": [
                    {"lat": 45.0, "lon": -120.0},
                    {"lat": 45.0, "lon": -180.0},
                    {"lat": 45.0, "lon": 120.0},
                    {"lat": 45.0, "lon": 60.0},
                    {"lat": 45.0, "lon": 0.0},
                    {"lat": 45.0, "lon": -60.0},
                    {"lat": 45.0, "lon": -120.0},
                ],
                "points_xyz": [
                    [-0.353553391, -0.612372436, 0.707106781],
                    [-0.707106781, 0.0, 0.707106781],
                    [-0.353553391, 0.612372436, 0.707106781],
                    [0.353553391, 0.612372436, 0.707106781],
                    [0.707106781, 0.0, 0.707106781],
                    [0.353553391, -0.612372436, 0.707106781],
                    [-0.353553391, -0.612372436, 0.707106781],
                ],
                "length_m": 4.336405487,
            }
        ],
        "line_count": 1,
        "overlay": {
            "lines": [
                [
                    {"lat": 45.0, "lon": -120.0},
                    {"lat": 45.0, "lon": -180.0},
                    {"lat": 45.0, "lon": 120.0},
                    {"lat": 45.0, "lon": 60.0},
                    {"lat": 45.0, "lon": 0.0},
                    {"lat": 45.0, "lon": -60.0},
                    {"lat": 45.0, "lon": -120.0},
                ]
            ],
            "color": "#ffffff",
            "width_deg": 0.8,
        },
    },
)
OUT_OF_RANGE = ToolExample(
    title="A level the data never reaches: no lines, not an error",
    request={"grid": GRID, "levels": [120.0]},
    response={"lines": [], "line_count": 0, "overlay": {"lines": [], "color": "#ffffff", "width_deg": 0.8}},
)
