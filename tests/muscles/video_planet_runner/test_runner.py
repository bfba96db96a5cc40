"""The runner over a real MCP client: every keyframe on the sphere at radius + eye height, unit
normal and forward, orthogonal, the path as long as speed x duration, coded bad paths, and the
adapter's automation accepted by video_timeline."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import numpy as np
import pytest

from muscles.video.timeline import AutomationPayload, Timeline, apply_automation
from tests.muscles.video_planet_surface_renderer.conftest import PlanetServer, planet_server

TOLERANCE = 1e-6


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[PlanetServer]:
    yield planet_server("video_planet_runner", tmp_path)


def _calls(
    server: PlanetServer, calls: list[tuple[str, dict[str, Any]]]
) -> list[tuple[bool, dict[str, Any]]]:
    async def run() -> list[tuple[bool, dict[str, Any]]]:
        with anyio.fail_after(60):
            async with server.session() as client:
                return [await server.call(client, tool, args) for tool, args in calls]

    return anyio.run(run)


def _vec(key: dict[str, Any], name: str) -> np.ndarray:
    return np.array([key[name]["x"], key[name]["y"], key[name]["z"]])


PATHS: dict[str, dict[str, Any]] = {
    "default": {},
    "great_circle": {"path": {"kind": "great_circle", "start": {"lat": 35, "lon": -120}, "heading_deg": 30}},
    "heading_with_turns": {
        "path": {
            "kind": "heading",
            "start": {"lat": -10, "lon": 170},
            "heading_deg": 0,
            "turns": [{"at_s": 10, "turn_deg": 90}, {"at_s": 25.5, "turn_deg": -135}],  # on the key grid
        },
        "duration_s": 40,
        "keyframe_rate_hz": 2,
    },
    "waypoints": {
        "path": {
            "kind": "waypoints",
            "points": [
                {"lat": 0, "lon": 0},
                {"lat": 0, "lon": 10},
                {"lat": 20, "lon": 10},
                {"lat": 89, "lon": 10},
            ],
        },
        "radius_m": 50,
        "speed_m_s": 3,
        "duration_s": 20,
    },
    "pole_and_date_line": {
        "path": {"kind": "great_circle", "start": {"lat": 90, "lon": 180}, "heading_deg": 180},
        "eye_height_m": 0,
        "radius_m": 10,
    },
}


def test_every_keyframe_is_on_the_sphere_with_unit_orthogonal_axes_and_the_length_is_speed_x_duration(
    runner: PlanetServer,
) -> None:
    results = _calls(runner, [("walk", {"walk": request}) for request in PATHS.values()])
    for name, (is_error, walk) in zip(PATHS, results, strict=True):
        assert not is_error, (name, walk)
        request = PATHS[name]
        radius, eye = request.get("radius_m", 100.0), request.get("eye_height_m", 1.7)
        speed, duration = request.get("speed_m_s", 1.4), request.get("duration_s", 60.0)
        rate = request.get("keyframe_rate_hz", 10.0)
        keys = walk["keyframes"]
        assert len(keys) == round(duration * rate) + 1, name
        assert keys[0]["time_s"] == 0 and keys[-1]["time_s"] == duration
        for key in keys:
            position, normal, forward = _vec(key, "position"), _vec(key, "normal"), _vec(key, "forward")
            assert abs(np.linalg.norm(position) - (radius + eye)) <= TOLERANCE * (radius + eye), name
            assert (
                abs(np.linalg.norm(normal) - 1) <= TOLERANCE and abs(np.linalg.norm(forward) - 1) <= TOLERANCE
            )
            assert abs(normal @ forward) <= TOLERANCE, name
            assert (
                np.linalg.norm(position / np.linalg.norm(position) - normal) <= TOLERANCE
            )  # away from the centre
        # Forward points along the path: the next key lies ahead.
        for key, following in itertools.pairwise(keys):
            assert (_vec(following, "position") - _vec(key, "position")) @ _vec(key, "forward") > 0, name
        normals = np.array([_vec(key, "normal") for key in keys])
        crossed = np.linalg.norm(np.cross(normals[:-1], normals[1:]), axis=1)
        arcs = np.arctan2(crossed, np.sum(normals[:-1] * normals[1:], axis=1))  # stable for small arcs
        assert walk["length_m"] == pytest.approx(speed * duration)
        assert walk["measured_length_m"] == pytest.approx(float(arcs.sum()) * radius, rel=1e-6)
        if name == "waypoints":
            # Its corners fall between keyframes, where the arcs between keys cut them.
            assert speed * duration * 0.999 < walk["measured_length_m"] < speed * duration
        else:
            assert walk["measured_length_m"] == pytest.approx(speed * duration, rel=1e-6), name
    default = results[0][1]
    assert default["duration_s"] == 60 and default["length_m"] == pytest.approx(84.0)  # 60 s at 1.4 m/s


def test_a_heading_turned_right_by_90_degrees_walks_east_then_south(runner: PlanetServer) -> None:
    request = {
        "path": {
            "kind": "heading",
            "start": {"lat": 0, "lon": 0},
            "heading_deg": 0,
            "turns": [{"at_s": 5, "turn_deg": 90}],
        },
        "radius_m": 100,
        "speed_m_s": 100 * math.pi / 180,  # one degree of arc per second
        "duration_s": 10,
    }
    ((is_error, walk),) = _calls(runner, [("walk", {"walk": request})])
    assert not is_error, walk
    # 5 degrees north, then 5 degrees along the great circle heading east from there.
    assert walk["end"]["lat"] == pytest.approx(
        math.degrees(math.asin(math.sin(math.radians(5)) * math.cos(math.radians(5)))), abs=1e-6
    )
    assert walk["end"]["lon"] > 4.9


def test_waypoints_walked_exactly_end_on_the_last_one(runner: PlanetServer) -> None:
    request = {
        "path": {
            "kind": "waypoints",
            "points": [{"lat": 0, "lon": 0}, {"lat": 0, "lon": 30}, {"lat": 30, "lon": 30}],
        },
        "radius_m": 10,
        "speed_m_s": 10 * math.radians(60) / 12,
        "duration_s": 12,
    }
    ((is_error, walk),) = _calls(runner, [("walk", {"walk": request})])
    assert not is_error, walk
    assert walk["end"] == pytest.approx({"lat": 30.0, "lon": 30.0}, abs=1e-6)


BAD: dict[str, dict[str, Any]] = {
    "speed_m_s": {"speed_m_s": 0},
    "duration_s": {"duration_s": -1},
    "radius_m": {"radius_m": -5},
    "eye_height_m": {"eye_height_m": -2},
    "path.start.lat": {"path": {"kind": "great_circle", "start": {"lat": 95, "lon": 0}}},
    "path.points.1.lon": {
        "path": {"kind": "waypoints", "points": [{"lat": 0, "lon": 0}, {"lat": 0, "lon": 200}]}
    },
    "path.points": {"path": {"kind": "waypoints", "points": [{"lat": 0, "lon": 0}]}},
    "path.points.1": {
        "path": {"kind": "waypoints", "points": [{"lat": 0, "lon": 0}, {"lat": 0, "lon": 180}]}
    },
    "path.turns": {"path": {"kind": "heading", "turns": [{"at_s": 61, "turn_deg": 10}]}},
    # 1 degree of a 100 m sphere is 1.75 m: a 60 s walk at 1.4 m/s would run off its end.
    "duration_s ": {"path": {"kind": "waypoints", "points": [{"lat": 0, "lon": 0}, {"lat": 1, "lon": 0}]}},
}


def test_bad_walks_are_coded_errors_naming_the_field(runner: PlanetServer) -> None:
    results = _calls(runner, [("walk", {"walk": request}) for request in BAD.values()])
    for field, (is_error, content) in zip(BAD, results, strict=True):
        assert is_error, field
        error = content["error"]
        assert error["code"] == "planet_path_invalid", (field, error)
        assert error["value"] == field.strip() and error["hint"], (field, error)


def test_the_automation_goes_onto_a_timeline_clip_through_apply_automation(runner: PlanetServer) -> None:
    request = PATHS["great_circle"] | {"duration_s": 3, "keyframe_rate_hz": 2}
    ((is_error, payload), (_, walk)) = _calls(
        runner, [("automation", {"walk": request, "clip_id": "c1"}), ("walk", {"walk": request})]
    )
    assert not is_error, payload
    assert payload["camera"] == walk["keyframes"] and payload["clip_id"] == "c1"
    timeline = Timeline.model_validate(
        {
            "tracks": [
                {
                    "id": "v",
                    "clips": [{"id": "c1", "uri": "atoms://media/0123456789abcdef0123456789abcdef/a.mp4"}],
                }
            ]
        }
    )
    placed = apply_automation(timeline, AutomationPayload.model_validate(payload))
    camera = placed.tracks[0].clips[0].automation.camera
    assert [key.time_s for key in camera] == [0, 0.5, 1, 1.5, 2, 2.5, 3]
