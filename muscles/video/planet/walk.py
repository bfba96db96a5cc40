"""Ground-locked walks on a sphere: pose (position, normal, forward) at any time of a path.

A path is a list of great-circle legs walked at constant speed; a heading with turns starts a
new leg at each turn, waypoints make one leg per pair. Each keyframe is checked (unit vectors,
forward orthogonal to normal, position at radius + eye height) before it leaves this module.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from muscles.video.planet.errors import PathInvalid
from muscles.video.planet.geometry import F64, LatLon, angle_between, east_north, latlon_of, unit_of
from muscles.video.planet.walk_model import HeadingWithTurns, Walk, WalkRequest, Waypoints
from muscles.video.timeline import AutomationPayload, CameraKey, Vec3

__all__ = ["TOLERANCE", "Pose", "check_walk", "pose_at", "poses", "to_automation", "walk"]

TOLERANCE = 1e-6
MAX_KEYFRAMES = 100_000
_ANTIPODAL_RAD = 1e-9
_DECIMALS = 9


@dataclass(frozen=True)
class _Leg:
    """A great-circle arc: from ``origin`` along unit tangent ``tangent`` for ``angle`` radians
    (infinite for the last leg of an open path), starting at ``start_s`` seconds."""

    origin: F64
    tangent: F64
    start_s: float


@dataclass(frozen=True)
class Pose:
    normal: F64
    forward: F64


def check_walk(request: WalkRequest) -> None:
    """Raise the first problem of ``request`` as ``planet_path_invalid``, naming its field."""
    numbers = {
        "radius_m": request.radius_m,
        "speed_m_s": request.speed_m_s,
        "duration_s": request.duration_s,
        "keyframe_rate_hz": request.keyframe_rate_hz,
    }
    for name, value in numbers.items():
        if not math.isfinite(value) or value <= 0:
            raise PathInvalid(f"{name} must be a finite number > 0", value=name)
    if not math.isfinite(request.eye_height_m) or request.eye_height_m < 0:
        raise PathInvalid(
            "eye_height_m below 0 puts the camera under the surface",
            value="eye_height_m",
            hint="Use an eye height >= 0 (1.7 m is a standing person).",
        )
    if request.duration_s * request.keyframe_rate_hz > MAX_KEYFRAMES:
        raise PathInvalid(
            f"more than {MAX_KEYFRAMES} keyframes", value="keyframe_rate_hz", hint="Lower the keyframe rate."
        )
    path = request.path
    points = path.points if isinstance(path, Waypoints) else [path.start]
    for index, point in enumerate(points):
        field = f"path.points.{index}" if isinstance(path, Waypoints) else "path.start"
        if not (math.isfinite(point.lat) and -90 <= point.lat <= 90):
            raise PathInvalid("latitude outside -90..90 leaves the sphere", value=f"{field}.lat")
        if not (math.isfinite(point.lon) and -180 <= point.lon <= 180):
            raise PathInvalid("longitude outside -180..180", value=f"{field}.lon")
    if isinstance(path, Waypoints):
        _check_waypoints(request, path)
    else:
        if not math.isfinite(path.heading_deg):
            raise PathInvalid("heading_deg must be finite", value="path.heading_deg")
    if isinstance(path, HeadingWithTurns):
        times = [turn.at_s for turn in path.turns]
        if any(not (0 < t < request.duration_s) for t in times) or times != sorted(set(times)):
            raise PathInvalid("turn times must lie strictly inside the walk and increase", value="path.turns")


def _check_waypoints(request: WalkRequest, path: Waypoints) -> None:
    if len(path.points) < 2:
        raise PathInvalid("a waypoint path needs at least two points", value="path.points")
    units = unit_of([p.lat for p in path.points], [p.lon for p in path.points])
    arcs = angle_between(units[:-1], units[1:])
    for index, arc in enumerate(arcs):
        if arc < _ANTIPODAL_RAD or math.pi - arc < 1e-6:
            raise PathInvalid(
                "consecutive waypoints are the same point or antipodal (no single shortest arc)",
                value=f"path.points.{index + 1}",
                hint="Drop the repeated point, or put a waypoint between antipodal ones.",
            )
    route_m = float(arcs.sum()) * request.radius_m
    walked_m = request.speed_m_s * request.duration_s
    if route_m < walked_m - TOLERANCE:
        raise PathInvalid(
            f"the waypoints are {route_m:.3f} m apart in all, the walk covers {walked_m:.3f} m: "
            "it would leave the path",
            value="duration_s",
            hint=f"Use duration_s <= {route_m / request.speed_m_s:.3f} or add waypoints.",
        )


def _legs(request: WalkRequest) -> list[_Leg]:
    path = request.path
    if isinstance(path, Waypoints):
        units = unit_of([p.lat for p in path.points], [p.lon for p in path.points])
        legs, start_s = [], 0.0
        for a, b in itertools.pairwise(units):
            tangent = b - np.dot(a, b) * a
            legs.append(_Leg(a, tangent / np.linalg.norm(tangent), start_s))
            start_s += float(angle_between(a, b)) * request.radius_m / request.speed_m_s
        return legs
    east, north = east_north(path.start.lat, path.start.lon)
    heading = math.radians(path.heading_deg)
    leg = _Leg(
        unit_of(path.start.lat, path.start.lon), math.cos(heading) * north + math.sin(heading) * east, 0.0
    )
    legs = [leg]
    for turn in path.turns if isinstance(path, HeadingWithTurns) else []:
        here = _on_leg(leg, turn.at_s, request)
        phi = math.radians(turn.turn_deg)
        # Turning right (clockwise seen from outside) rotates forward towards normal x forward's negative.
        forward = math.cos(phi) * here.forward - math.sin(phi) * np.cross(here.normal, here.forward)
        leg = _Leg(here.normal, forward, turn.at_s)
        legs.append(leg)
    return legs


def _on_leg(leg: _Leg, time_s: float, request: WalkRequest) -> Pose:
    theta = (time_s - leg.start_s) * request.speed_m_s / request.radius_m
    normal = math.cos(theta) * leg.origin + math.sin(theta) * leg.tangent
    forward = -math.sin(theta) * leg.origin + math.cos(theta) * leg.tangent
    return Pose(normal / np.linalg.norm(normal), forward / np.linalg.norm(forward))


def pose_at(legs: list[_Leg], time_s: float, request: WalkRequest) -> Pose:
    leg = next(leg for leg in reversed(legs) if leg.start_s <= time_s or leg is legs[0])
    return _on_leg(leg, time_s, request)


def poses(request: WalkRequest, times: list[float]) -> list[Pose]:
    """Poses of a checked request at ``times`` (seconds into the walk)."""
    legs = _legs(request)
    return [pose_at(legs, t, request) for t in times]


def _key(pose: Pose, time_s: float, request: WalkRequest) -> CameraKey:
    lift = request.radius_m + request.eye_height_m
    position = pose.normal * lift
    # The contract the issue states, asserted on every key before it leaves this module.
    assert (
        abs(np.linalg.norm(pose.normal) - 1) < TOLERANCE and abs(np.linalg.norm(pose.forward) - 1) < TOLERANCE
    )
    assert abs(float(np.dot(pose.normal, pose.forward))) < TOLERANCE
    assert abs(np.linalg.norm(position) - lift) < TOLERANCE * max(1.0, lift)
    return CameraKey(
        time_s=time_s, position=_vec(position), normal=_vec(pose.normal), forward=_vec(pose.forward)
    )


def _vec(v: F64) -> Vec3:
    # Nine decimals: the same digits on every machine's libm, far inside the 1e-6 contract.
    x, y, z = (round(float(c), _DECIMALS) + 0.0 for c in v)  # + 0.0: no negative zeros
    return Vec3(x=x, y=y, z=z)


def keyframe_times(request: WalkRequest) -> list[float]:
    count = max(1, round(request.duration_s * request.keyframe_rate_hz))
    return [request.duration_s * i / count for i in range(count + 1)]


def walk(request: WalkRequest) -> Walk:
    """The checked walk's keyframes, with its length measured on them."""
    check_walk(request)
    times = keyframe_times(request)
    found = poses(request, times)
    keys = [_key(pose, t, request) for pose, t in zip(found, times, strict=True)]
    normals = np.array([pose.normal for pose in found])
    measured = float(angle_between(normals[:-1], normals[1:]).sum()) * request.radius_m
    lat, lon = latlon_of(found[-1].normal)
    return Walk(
        keyframes=keys,
        radius_m=request.radius_m,
        eye_height_m=request.eye_height_m,
        duration_s=request.duration_s,
        length_m=request.speed_m_s * request.duration_s,
        measured_length_m=round(measured, _DECIMALS),
        end=LatLon(lat=round(float(lat), 9), lon=round(float(lon), 9)),
    )


def to_automation(found: Walk, clip_id: str) -> AutomationPayload:
    """The walk as video_timeline automation: the clip's camera keys (position, normal, forward)."""
    return AutomationPayload(clip_id=clip_id, camera=list(found.keyframes))
