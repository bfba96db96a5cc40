"""video_planet_runner's declared examples, proven by tests/muscles/test_examples.py."""

from __future__ import annotations

from pydantic import JsonValue

from core import ToolExample

GREAT_CIRCLE: dict[str, JsonValue] = {
    "path": {"kind": "great_circle", "start": {"lat": 0.0, "lon": 0.0}, "heading_deg": 90.0},
    "radius_m": 100.0,
    "eye_height_m": 1.7,
    "speed_m_s": 1.4,
    "duration_s": 2.0,
    "keyframe_rate_hz": 1.0,
}
WAYPOINTS: dict[str, JsonValue] = {
    "path": {"kind": "waypoints", "points": [{"lat": 0.0, "lon": 0.0}, {"lat": 10.0, "lon": 0.0}]},
    "radius_m": 1000.0,
    "eye_height_m": 0.0,
    "speed_m_s": 50.0,
    "duration_s": 2.0,
    "keyframe_rate_hz": 0.5,
}
WALK_GREAT_CIRCLE = ToolExample(
    title="Two seconds due east along the equator",
    request={"walk": GREAT_CIRCLE},
    response={
        "keyframes": [
            {
                "time_s": 0.0,
                "position": {"x": 101.7, "y": 0.0, "z": 0.0},
                "normal": {"x": 1.0, "y": 0.0, "z": 0.0},
                "forward": {"x": 0.0, "y": 1.0, "z": 0.0},
                "interpolation": "linear",
            },
            {
                "time_s": 1.0,
                "position": {"x": 101.690033563, "y": 1.42375349, "z": 0.0},
                "normal": {"x": 0.999902002, "y": 0.013999543, "z": 0.0},
                "forward": {"x": -0.013999543, "y": 0.999902002, "z": 0.0},
                "interpolation": "linear",
            },
            {
                "time_s": 2.0,
                "position": {"x": 101.660136205, "y": 2.847227928, "z": 0.0},
                "normal": {"x": 0.999608026, "y": 0.027996341, "z": 0.0},
                "forward": {"x": -0.027996341, "y": 0.999608026, "z": 0.0},
                "interpolation": "linear",
            },
        ],
        "radius_m": 100.0,
        "eye_height_m": 1.7,
        "duration_s": 2.0,
        "length_m": 2.8,
        "measured_length_m": 2.8,
        "end": {"lat": 0.0, "lon": 1.604281826},
    },
)
WALK_WAYPOINTS = ToolExample(
    title="North from waypoint to waypoint",
    request={"walk": WAYPOINTS},
    response={
        "keyframes": [
            {
                "time_s": 0.0,
                "position": {"x": 1000.0, "y": 0.0, "z": 0.0},
                "normal": {"x": 1.0, "y": 0.0, "z": 0.0},
                "forward": {"x": 0.0, "y": 0.0, "z": 1.0},
                "interpolation": "linear",
            },
            {
                "time_s": 2.0,
                "position": {"x": 995.004165278, "y": 0.0, "z": 99.833416647},
                "normal": {"x": 0.995004165, "y": 0.0, "z": 0.099833417},
                "forward": {"x": -0.099833417, "y": 0.0, "z": 0.995004165},
                "interpolation": "linear",
            },
        ],
        "radius_m": 1000.0,
        "eye_height_m": 0.0,
        "duration_s": 2.0,
        "length_m": 100.0,
        "measured_length_m": 100.0,
        "end": {"lat": 5.729577951, "lon": 0.0},
    },
)
AUTOMATION = ToolExample(
    title="The equator walk as camera automation for clip c1",
    request={"walk": GREAT_CIRCLE, "clip_id": "c1"},
    response={
        "clip_id": "c1",
        "lanes": [],
        "camera": [
            {
                "time_s": 0.0,
                "position": {"x": 101.7, "y": 0.0, "z": 0.0},
                "normal": {"x": 1.0, "y": 0.0, "z": 0.0},
                "forward": {"x": 0.0, "y": 1.0, "z": 0.0},
                "interpolation": "linear",
            },
            {
                "time_s": 1.0,
                "position": {"x": 101.690033563, "y": 1.42375349, "z": 0.0},
                "normal": {"x": 0.999902002, "y": 0.013999543, "z": 0.0},
                "forward": {"x": -0.013999543, "y": 0.999902002, "z": 0.0},
                "interpolation": "linear",
            },
            {
                "time_s": 2.0,
                "position": {"x": 101.660136205, "y": 2.847227928, "z": 0.0},
                "normal": {"x": 0.999608026, "y": 0.027996341, "z": 0.0},
                "forward": {"x": -0.027996341, "y": 0.999608026, "z": 0.0},
                "interpolation": "linear",
            },
        ],
    },
)
