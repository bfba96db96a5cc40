"""The timeline every video muscle shares: tracks of clips, crossfades, text, mix and output.

Times are seconds. A clip plays ``source_in_s..source_out_s`` of its media at ``speed``,
starting at ``start_s`` on the timeline, so it lasts ``(out - in) / speed`` there. Two
clips on the video track overlap only where a crossfade joins them, by exactly the
crossfade's duration. Values are deliberately unconstrained here: :mod:`core.timeline.validate`
checks them and names the clip and field of every problem, which a schema error cannot.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from muscles.video.timeline.captions import CaptionTrack
from muscles.video.timeline.editing import ClipFade, ColorGrade, Fit, Layout
from muscles.video.timeline.sound import AudioRole, ClipSound, Ducking, MixLoudness

__all__ = [
    "AudioMix",
    "AutomationPayload",
    "CameraKey",
    "CaptionTrack",
    "Clip",
    "ClipAutomation",
    "ClipSound",
    "Crossfade",
    "Ducking",
    "Interpolation",
    "Keyframe",
    "MixLoudness",
    "OutputSettings",
    "ParameterLane",
    "TextOverlay",
    "Timeline",
    "Track",
    "Vec3",
]

Interpolation = Literal["linear", "hold", "ease_in_out"]
# scale / position_x / position_y frame the picture (a crop-and-zoom, the Ken Burns move):
# the view is 1/scale of the frame, centred on the point (position_x, position_y) of it.
# x, y, size, rotation and opacity place it (a layer's inset, a moving picture-in-picture).
AutomatedParameter = Literal[
    "volume", "brightness", "scale", "position_x", "position_y", "x", "y", "size", "rotation", "opacity"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Keyframe(_Strict):
    """One automation key: the value at ``time_s`` and how it moves on to the next key."""

    time_s: float = Field(description="Seconds from the clip's start on the timeline")
    value: float
    interpolation: Interpolation = Field(
        default="linear", description="Curve from this key to the next: linear, hold (step) or ease_in_out"
    )


class ParameterLane(_Strict):
    """Keyframes for one clip parameter: volume (gain, 1 = unchanged), brightness (-1..1), the
    framing: scale (zoom, 1..10; 1 = the whole frame) centred on position_x / position_y (0..1
    of the frame's width / height; 0.5 = the centre), or the placement of its picture: x, y (its
    box's left and top, fractions of the output), size (of its box, about the centre),
    rotation (degrees, clockwise) and opacity (0..1)."""

    parameter: AutomatedParameter
    keyframes: list[Keyframe]


class Vec3(_Strict):
    x: float
    y: float
    z: float


class CameraKey(_Strict):
    """A camera pose at ``time_s``: where it is, the surface normal it faces and its forward axis.

    Carried for muscles that place a camera (360 reframing, 3D); the MP4 renderer ignores it.
    """

    time_s: float = Field(description="Seconds from the clip's start on the timeline")
    position: Vec3
    normal: Vec3
    forward: Vec3
    interpolation: Interpolation = "linear"


class ClipAutomation(_Strict):
    lanes: list[ParameterLane] = Field(default_factory=list)
    camera: list[CameraKey] = Field(default_factory=list)


class AutomationPayload(_Strict):
    """Keyframes to put on one clip; lanes replace the clip's lanes for the same parameter."""

    clip_id: str
    lanes: list[ParameterLane] = Field(default_factory=list)
    camera: list[CameraKey] | None = Field(
        default=None, description="Replaces the clip's camera keys when given; [] clears them"
    )


class Clip(_Strict):
    """A stretch of one media asset placed on the timeline."""

    id: str = Field(description="Unique within the timeline")
    uri: str = Field(description="MediaRef uri from media_v2: atoms://media/{asset_id}/{filename}")
    source_in_s: float = Field(default=0.0, description="Where in the media the clip starts")
    source_out_s: float | None = Field(default=None, description="Where it ends; unset = end of the media")
    start_s: float = Field(default=0.0, description="Where on the timeline it starts")
    speed: float = Field(default=1.0, description="Playback rate, 0.05..4 (2 = twice as fast)")
    volume: float = Field(default=1.0, description="Gain of the clip's sound, 0..10 (1 = unchanged)")
    automation: ClipAutomation = Field(default_factory=ClipAutomation)
    sound: ClipSound = Field(
        default_factory=ClipSound, description="Gain in dB and fades of the clip's sound"
    )
    # The picture features (:mod:`.editing`).
    duration_s: float | None = Field(
        default=None, description="Seconds on the timeline of a still image or a color: clip (only those)"
    )
    fade_in: ClipFade | None = Field(default=None, description="Fade in from a colour (and from silence)")
    fade_out: ClipFade | None = Field(default=None, description="Fade out to a colour (and to silence)")
    layout: Layout | None = Field(default=None, description="Box in the output frame (a layer's inset)")
    grade: ColorGrade | None = Field(
        default=None, description="LUT, exposure, contrast, saturation, temperature"
    )


class Track(_Strict):
    """A video track (picture plus its sound) or an audio track mixed under them.

    The first video track is the base: continuous from 0, it sets the timeline's picture.
    Each further video track is a layer composited over the ones before it, in order; its
    clips may leave gaps (nothing is drawn there).
    """

    id: str
    kind: Literal["video", "audio"] = "video"
    clips: list[Clip] = Field(default_factory=list)
    volume: float = Field(default=1.0, description="Gain applied to every clip's sound on the track")
    muted: bool = False
    role: AudioRole | None = Field(default=None, description="voice, music or effects: what describe reports")
    hidden: bool = Field(default=False, description="Leave the track's picture out (its sound still plays)")


class Crossfade(_Strict):
    """Picture and sound of ``from_clip`` dissolve into ``to_clip`` over ``duration_s``.

    ``to_clip`` starts ``duration_s`` before ``from_clip`` ends (the clips overlap by it).
    """

    kind: Literal["crossfade"] = "crossfade"
    from_clip: str
    to_clip: str
    duration_s: float
    transition: str = Field(
        default="fade",
        description="A named xfade transition: fade, dissolve, wipeleft, slideup, circleopen, ...",
    )
    audio_curve: str = Field(
        default="tri", description="acrossfade curve of the sound: tri, qsin, exp, log, ..."
    )


class TextOverlay(_Strict):
    """Text burnt into the picture from ``start_s`` to ``end_s`` (timeline seconds)."""

    id: str
    text: str
    start_s: float
    end_s: float
    position: Literal["top", "center", "bottom"] = "bottom"
    font_size: int = Field(default=32, description="Pixels, 8..400")
    color: str = Field(default="white", description="A colour name or #RRGGBB, optionally @alpha (white@0.8)")
    box: bool = Field(default=True, description="Draw a translucent black box behind the text")


class AudioMix(_Strict):
    master_volume: float = Field(default=1.0, description="Gain on the final mix, 0..10")
    sample_rate: int = Field(default=48000, description="Hz of the output sound")
    ducking: list[Ducking] = Field(
        default_factory=list, description="Music tracks lowered under voice tracks"
    )
    loudness: MixLoudness | None = Field(
        default=None, description="Loudness target of the final mix (two passes); unset = no normalisation"
    )


class OutputSettings(_Strict):
    """How the MP4 is encoded. Unset width, height and fps follow the first video clip."""

    video_codec: Literal["libx264", "libx265"] = "libx264"
    crf: int = Field(default=20, description="Quality, 0 (lossless) .. 51 (worst)")
    preset: Literal[
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"
    ] = "veryfast"
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio_codec: Literal["aac"] = "aac"
    audio_bitrate: str = Field(default="128k", pattern=r"^[1-9][0-9]{1,3}k$")
    proxy: bool = Field(
        default=False,
        description="Small and fast (at most 360 lines, ultrafast, lower quality); only on request",
    )
    allow_stream_copy: bool = Field(
        default=True, description="Copy the streams untouched when a single unchanged clip allows it"
    )
    aspect: str | None = Field(
        default=None, description="16:9, 9:16, 1:1 or 4:5: the frame's shape (from height, else width)"
    )
    fit: Fit = Field(
        default="pad", description="A clip of another shape: pad (bars), crop, or blur (blurred copy behind)"
    )
    grade: ColorGrade | None = Field(
        default=None, description="Colour of the whole output (LUT, exposure, ...)"
    )


class Timeline(_Strict):
    """Everything a render needs: tracks, crossfades, text overlays, the mix and the output."""

    tracks: list[Track]
    transitions: list[Crossfade] = Field(default_factory=list)
    overlays: list[TextOverlay] = Field(default_factory=list)
    captions: list[CaptionTrack] = Field(default_factory=list, description="SRT/VTT files burnt in, styled")
    audio: AudioMix = Field(default_factory=AudioMix)
    output: OutputSettings = Field(default_factory=OutputSettings)

    def clips(self) -> list[Clip]:
        return [clip for track in self.tracks for clip in track.clips]

    def video_track(self) -> Track | None:
        """The base video track: the first one."""
        return next((track for track in self.tracks if track.kind == "video"), None)

    def layer_tracks(self) -> list[Track]:
        """The video tracks after the base, bottom to top."""
        return [track for track in self.tracks if track.kind == "video"][1:]
