"""MediaInfo: the one description of what a media file holds, measured by a probe.

Registration probes a file once and stores this (as JSON, in the object's metadata); every
later reader (a tool opening its input, the timeline checking clips, media_v2 describing an
asset) reads the same recorded value, so no two places can disagree about one file.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

__all__ = ["MediaInfo"]


@dataclass(frozen=True)
class MediaInfo:
    """What a probe found about one file.

    Video fields describe its first video stream (cover art does not count), audio fields its
    first audio stream. A still image has video but no duration, fps or frame count.
    """

    format_name: str
    duration_s: float | None
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    frame_count: int | None = None

    @property
    def is_still(self) -> bool:
        """A single picture (image2 or an image ``*_pipe`` demuxer)."""
        return self.has_video and any(
            name == "image2" or name.endswith("_pipe") for name in self.format_name.split(",")
        )

    @property
    def is_video(self) -> bool:
        """Moving pictures: a video stream that plays for a known time."""
        return self.has_video and not self.is_still and self.duration_s is not None

    @property
    def is_media(self) -> bool:
        return self.has_video or self.has_audio

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True, separators=(",", ":"))

    @staticmethod
    def from_json(text: str) -> MediaInfo | None:
        """The recorded info, or None when it was written by an incompatible release."""
        try:
            return _ADAPTER.validate_json(text, strict=True)
        except ValidationError:
            return None


_ADAPTER = TypeAdapter(MediaInfo)
