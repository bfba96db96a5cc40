"""MediaRef: how media travel between muscles, agents and canvases (never bytes, never base64),
and MediaUri, its ``atoms://media/{asset_id}/{filename}`` name, parsed once at the edge."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from core.errors import InvalidInput
from core.identifiers import validate_filename, validate_identifier
from core.media.info import MediaInfo

__all__ = ["MEDIA_URI_SCHEME", "MediaRef", "MediaUri", "media_uri", "parse_media_uri"]

MEDIA_URI_SCHEME = "atoms"
_URI = re.compile(r"atoms://media/([^/]+)/([^/]+)")


@dataclass(frozen=True)
class MediaUri:
    """A validated media_v2 uri: build one with :meth:`parse` (or :meth:`of`), then carry it."""

    asset_id: str
    filename: str

    @classmethod
    def parse(cls, text: object) -> MediaUri:
        """Raise InvalidInput (or InvalidIdentifier for a bad part) unless ``text`` is a uri."""
        if isinstance(text, MediaUri):
            return text
        match = _URI.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidInput(
                "not a media_v2 URI",
                value=text,
                hint="Pass the uri of a MediaRef returned by media_v2, e.g. atoms://media/<asset_id>/<filename>.",
            )
        return cls.of(match.group(1), match.group(2))

    @classmethod
    def of(cls, asset_id: str, filename: str) -> MediaUri:
        return cls(validate_identifier(asset_id, "asset_id"), validate_filename(filename))

    def __str__(self) -> str:
        return f"{MEDIA_URI_SCHEME}://media/{self.asset_id}/{self.filename}"


class MediaRef(BaseModel):
    """A stored asset. ``uri`` names it inside the caller's tenant; the rest describes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uri: str = Field(description="atoms://media/{asset_id}/{filename}, resolved within the caller's tenant")
    asset_id: str = Field(description="Content-derived id: the first 32 hex digits of the sha256")
    filename: str
    mime_type: str = Field(description="Detected from the content, e.g. video/mp4")
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    duration_s: float | None = Field(default=None, description="Seconds, for audio and video")
    width: int | None = None
    height: int | None = None
    fps: float | None = Field(default=None, description="Frames per second, for video")
    sample_rate: int | None = Field(default=None, description="Hz, for audio")
    channels: int | None = None

    @classmethod
    def build(
        cls, uri: MediaUri, *, mime_type: str, size_bytes: int, sha256: str, info: MediaInfo | None
    ) -> MediaRef:
        """The ref of a stored object, its media fields from the probe recorded for it."""
        media = (
            {}
            if info is None
            else {
                "duration_s": info.duration_s,
                "width": info.width,
                "height": info.height,
                "fps": info.fps,
                "sample_rate": info.sample_rate,
                "channels": info.channels,
            }
        )
        return cls(
            uri=str(uri),
            asset_id=uri.asset_id,
            filename=uri.filename,
            mime_type=mime_type,
            size_bytes=size_bytes,
            sha256=sha256,
            **media,
        )


def media_uri(asset_id: str, filename: str) -> str:
    return str(MediaUri.of(asset_id, filename))


def parse_media_uri(uri: str) -> tuple[str, str]:
    """Split ``atoms://media/{asset_id}/{filename}`` into validated parts."""
    parsed = MediaUri.parse(uri)
    return parsed.asset_id, parsed.filename
