"""air_canvas's arguments and results: the marker's colour range, the pen's tuning, strokes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from core import MediaRef

__all__ = ["Drawing", "Marker", "Pen", "Point", "Stroke", "Strokes"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Marker(_Strict):
    """The marker's colour as an OpenCV HSV box (hue 0..179, saturation and value 0..255).

    A hue range whose low end is above its high end wraps round red (170..10). The default
    finds a saturated orange."""

    hue_low: int = Field(default=5, description="0..179")
    hue_high: int = Field(default=25, description="0..179; below hue_low wraps round red")
    saturation_low: int = Field(default=120, description="0..255")
    saturation_high: int = Field(default=255, description="0..255")
    value_low: int = Field(default=120, description="0..255")
    value_high: int = Field(default=255, description="0..255")
    min_area_px: int = Field(default=20, description="Smaller blobs are noise, not the marker")


class Pen(_Strict):
    """How the pen follows the marker: a P-controller, lifted by fast moves."""

    gain: float = Field(
        default=0.5, description="Share of the way to the marker the pen moves per frame, 0 < gain <= 1"
    )
    lift_speed_px_s: float = Field(
        default=400.0,
        description="Above this marker speed (pixels per second) the pen is up: travel, not drawing",
    )


class Point(_Strict):
    t: float = Field(description="Seconds from the video's start")
    x: float = Field(description="Pixels from the left")
    y: float = Field(description="Pixels from the top")
    nx: float = Field(description="x / width (0..1)")
    ny: float = Field(description="y / height (0..1)")


class Stroke(_Strict):
    points: list[Point]


class Strokes(_Strict):
    """The vector drawing: what the strokes JSON document holds."""

    width: int
    height: int
    fps: float
    strokes: list[Stroke]


class Drawing(_Strict):
    """What a tracking call made."""

    strokes: MediaRef = Field(
        description="The strokes as JSON (application/json): width, height, fps, strokes"
    )
    overlay: MediaRef = Field(description="The input video with the strokes drawn on it (MP4, sound kept)")
    stroke_count: int
    point_count: int
    frames: int = Field(description="Frames in the stored overlay video")
    frames_with_marker: int = Field(description="Frames where the marker was found")
