"""Text assets that media work reads besides media: 3D LUTs (.cube) and subtitles (.srt, .vtt).

Registering one of these stores it as a document (no probe); it is recognised by its name and
checked by its first line(s) of content, so a renamed binary or an arbitrary text file is
still refused as not media.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

__all__ = ["document_mime"]

_HEAD_BYTES: Final = 64 * 1024
# suffix -> (mime type, what the head of the text must hold)
_KINDS: Final = {
    ".cube": ("text/x-cube-lut", re.compile(r"^\s*LUT_3D_SIZE\s+\d+\s*$", re.M)),
    ".vtt": ("text/vtt", re.compile(r"\A(?:\ufeff)?WEBVTT")),
    ".srt": ("application/x-subrip", re.compile(r"^\s*\d+\s*\r?\n\d\d:\d\d:\d\d[,.]\d{3} --> ", re.M)),
}


def document_mime(path: Path, filename: str) -> str | None:
    """The mime type of ``path`` when ``filename`` and its content make it a known text asset."""
    kind = _KINDS.get(Path(filename).suffix.lower())
    if kind is None:
        return None
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    mime, shape = kind
    return mime if shape.search(text) else None
