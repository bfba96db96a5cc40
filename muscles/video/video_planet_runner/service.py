"""video_planet_runner: a camera walking on a sphere, as keyframes and as timeline automation."""

from __future__ import annotations

from core import Muscle, tool
from muscles.video.planet.errors import PathInvalid
from muscles.video.planet.walk import to_automation
from muscles.video.planet.walk import walk as walk_keys
from muscles.video.planet.walk_model import Walk, WalkRequest
from muscles.video.timeline import AutomationPayload

from .examples import AUTOMATION, WALK_GREAT_CIRCLE, WALK_WAYPOINTS


class VideoPlanetRunner(Muscle):
    """Moves a camera over the HAZE planet's surface, locked to the ground: along a great circle,
    a heading with turns, or latitude/longitude waypoints, at a walking speed by default.

    Each keyframe has the camera's position on the sphere (radius plus eye height), its unit
    normal pointing away from the centre and a unit forward tangent along the path (checked to
    1e-6). Use `walk` for the keyframes and the measured path length, and `automation` for the
    same walk as video_timeline camera automation on a clip (video_timeline's apply_automation
    takes it as is; video_planet_preview renders it).
    """

    version = "1.0.0"
    capabilities = ("cap.video.planet_walk",)

    @tool(examples=[WALK_GREAT_CIRCLE, WALK_WAYPOINTS], errors=[PathInvalid], read_only=True, idempotent=True)
    def walk(self, walk: WalkRequest) -> Walk:
        """Camera keyframes along the path at `keyframe_rate_hz`, from 0 to `duration_s`.

        The walk covers speed_m_s x duration_s metres of ground (default 60 s at 1.4 m/s). Bad
        numbers, latitudes outside -90..90, an eye height below the ground and waypoint routes
        shorter than the walk are planet_path_invalid errors naming the field."""
        return walk_keys(walk)

    @tool(examples=[AUTOMATION], errors=[PathInvalid], read_only=True, idempotent=True)
    def automation(self, walk: WalkRequest, clip_id: str) -> AutomationPayload:
        """The walk as video_timeline automation for clip `clip_id`: its camera keys (position,
        normal, forward, seconds from the clip's start), ready for apply_automation."""
        return to_automation(walk_keys(walk), clip_id)
