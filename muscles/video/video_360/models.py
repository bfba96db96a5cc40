"""video_360's arguments and results: a view, a keyframed camera path, what a call made."""

from __future__ import annotations

import itertools
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from core import MediaRef
from muscles.video.frames import View
from muscles.video.timeline import AutomationInvalid, Keyframe, value_at

from .errors import ViewOutOfRange

__all__ = ["FOV_RANGE", "CameraPath", "EnginePath", "Projected", "ViewArgs", "check_view"]

FOV_RANGE: Final = (1.0, 170.0)
EnginePath = Literal["opencv-cpu", "torch-cuda", "torch-cpu", "ffmpeg-v360"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ViewArgs(_Strict):
    """Where a flat camera in the sphere looks, in degrees (py360convert's conventions)."""

    yaw: float = Field(default=0.0, description="Turn right (positive) or left from the picture's centre")
    pitch: float = Field(default=0.0, description="Look up (positive) or down, -90..90")
    roll: float = Field(default=0.0, description="Turn the picture in its plane")
    h_fov: float = Field(default=90.0, description="Horizontal field of view, 1..170")
    v_fov: float = Field(default=60.0, description="Vertical field of view, 1..170")

    def view(self) -> View:
        return View(self.yaw, self.pitch, self.roll, self.h_fov, self.v_fov)


class CameraPath(_Strict):
    """Keyframes per view parameter (video_timeline's keyframe model: ``time_s`` from the
    video's start, ``value``, and the curve to the next key). A parameter without keys keeps
    ``ViewArgs``' default; before the first key and after the last the end value holds."""

    yaw: list[Keyframe] = Field(default_factory=list)
    pitch: list[Keyframe] = Field(default_factory=list)
    roll: list[Keyframe] = Field(default_factory=list)
    h_fov: list[Keyframe] = Field(default_factory=list)
    v_fov: list[Keyframe] = Field(default_factory=list)

    def at(self, time_s: float) -> View:
        defaults = ViewArgs()

        def lane(keys: list[Keyframe], default: float) -> float:
            return value_at(keys, time_s) if keys else default

        return View(
            lane(self.yaw, defaults.yaw),
            lane(self.pitch, defaults.pitch),
            lane(self.roll, defaults.roll),
            lane(self.h_fov, defaults.h_fov),
            lane(self.v_fov, defaults.v_fov),
        )

    def check(self) -> None:
        """Keys in each lane at or after 0 s and strictly increasing in time."""
        for name in ("yaw", "pitch", "roll", "h_fov", "v_fov"):
            times = [key.time_s for key in getattr(self, name)]
            for index, (earlier, later) in enumerate(itertools.pairwise([0.0, *times])):
                if later < earlier or (index and later == earlier):
                    raise AutomationInvalid(
                        f"camera.{name} key {index} is at {later} s; keys start at 0 s and strictly increase",
                        value=f"camera.{name}.{index}.time_s",
                        hint="Give each camera lane's keys in time order, from 0 s (the video's start).",
                    )

    def views(self) -> list[View]:
        """The view at every keyframe time (where the path can reach its extremes)."""
        times = sorted(
            {key.time_s for lane in (self.yaw, self.pitch, self.roll, self.h_fov, self.v_fov) for key in lane}
        )
        return [self.at(t) for t in times] or [self.at(0.0)]


class Projected(_Strict):
    """The stored result and how it was made."""

    media: MediaRef = Field(description="The PNG (still input) or MP4 (video input) in media_v2")
    frame_count: int = Field(description="Frames in the stored output (1 for a picture)")
    path: EnginePath = Field(
        description="What remapped the pixels: opencv-cpu, torch-cuda (the gpu extra on a GPU), "
        "torch-cpu, or ffmpeg-v360 (ffmpeg's own filter, when measured faster for the request)"
    )
    faces: list[MediaRef] = Field(
        default_factory=list,
        description="cubemap with separate_faces: the six faces as PNGs, in the order F R B L U D",
    )


def check_view(view: View, where: str = "view") -> None:
    """A view a flat camera can have: fields of view within FOV_RANGE, pitch within -90..90."""
    low, high = FOV_RANGE
    for name, value in (("h_fov", view.h_fov), ("v_fov", view.v_fov)):
        if not low <= value <= high:
            raise ViewOutOfRange(
                f"{where}.{name} is {value} degrees; it must be within {low:g}..{high:g}",
                value=f"{where}.{name}",
                details={"degrees": value},
            )
    if not -90.0 <= view.pitch <= 90.0:
        raise ViewOutOfRange(
            f"{where}.pitch is {view.pitch} degrees; it must be within -90..90",
            value=f"{where}.pitch",
            details={"degrees": view.pitch},
        )
