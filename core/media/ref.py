"""MediaRef: how media travel between muscles, agents and canvases (never bytes, never base64)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from core.errors import InvalidInput
from core.identifiers import validate_filename, validate_identifier

__all__ = ["MEDIA_URI_SCHEME", "MediaRef", "media_uri", "parse_media_uri"]

MEDIA_URI_SCHEME = "atoms"
_URI = re.compile(r"atoms://media/([^/]+)/([^/]+)")


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


def media_uri(asset_id: str, filename: str) -> str:
    return f"{MEDIA_URI_SCHEME}://media/{validate_identifier(asset_id, 'asset_id')}/{validate_filename(filename)}"


def parse_media_uri(uri: str) -> tuple[str, str]:
    """Split ``atoms://media/{asset_id}/{filename}`` into validated parts."""
    match = _URI.fullmatch(uri) if isinstance(uri, str) else None
    if match is None:
        raise InvalidInput(
            "not a media_v2 URI",
            value=uri,
            hint="Pass the uri of a MediaRef returned by media_v2, e.g. atoms://media/<asset_id>/<filename>.",
        )
    return validate_identifier(match.group(1), "asset_id"), validate_filename(match.group(2))
