"""The runner's request and result: a path over the sphere and the camera keyframes along it.

Values are unconstrained in the schema on purpose: :mod:`.walk` checks them and names the field
of every problem with a hint, which a schema error cannot.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from muscles.video.planet.geometry import LatLon
from muscles.video.timeline import CameraKey

__all__ = ["GreatCircle", "HeadingWithTurns", "PathSpec", "Turn", "Walk", "WalkRequest", "Waypoints"]

WALKING_SPEED_M_S = 1.4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GreatCircle(_Strict):
    """Straight ahead forever: the great circle through ``start`` at ``heading_deg``."""

    kind: Literal["great_circle"] = "great_circle"
    start: LatLon = Field(default_factory=lambda: LatLon(lat=0.0, lon=0.0))
    heading_deg: float = Field(default=90.0, description="Clockwise from north: 0 north, 90 east")


class Turn(_Strict):
    at_s: float = Field(description="Seconds into the walk")
    turn_deg: float = Field(description="Change of heading: + turns right (clockwise seen from above)")


class HeadingWithTurns(_Strict):
    """Start at ``heading_deg`` and change heading at the given times (straight in between)."""

    kind: Literal["heading"] = "heading"
    start: LatLon = Field(default_factory=lambda: LatLon(lat=0.0, lon=0.0))
    heading_deg: float = 90.0
    turns: list[Turn] = Field(default_factory=list)


class Waypoints(_Strict):
    """Walk the shortest arcs from waypoint to waypoint (at least two; no antipodal neighbours)."""

    kind: Literal["waypoints"] = "waypoints"
    points: list[LatLon]


PathSpec = Annotated[GreatCircle | HeadingWithTurns | Waypoints, Field(discriminator="kind")]


class WalkRequest(_Strict):
    """A ground-locked walk: where it goes, how fast, for how long, and the keyframe rate."""

    path: PathSpec = Field(default_factory=GreatCircle)
    radius_m: float = Field(default=100.0, description="Planet radius in metres")
    eye_height_m: float = Field(default=1.7, description="Camera height above the ground, >= 0")
    speed_m_s: float = Field(default=WALKING_SPEED_M_S, description="Ground speed (walking: 1.4)")
    duration_s: float = Field(default=60.0, description="Length of the walk in seconds")
    keyframe_rate_hz: float = Field(default=10.0, description="Camera keyframes per second")


class Walk(BaseModel):
    """Camera keyframes along the walk, and what was measured on them."""

    keyframes: list[CameraKey] = Field(
        description="position on the sphere at radius + eye height, unit normal away from the centre, "
        "unit forward tangent along the path"
    )
    radius_m: float
    eye_height_m: float
    duration_s: float
    length_m: float = Field(description="Ground distance walked: speed x duration")
    measured_length_m: float = Field(
        description="Sum of the ground arcs between consecutive keyframes (cuts corners at turns)"
    )
    end: LatLon = Field(description="Where the walk ends")
