"""Media types from content, not from names: magic numbers in the first 8 KiB.

Detection uses the ``filetype`` package; what it (or an uploader's Content-Type) calls a
type is then mapped to one canonical name, so that equal media always carry equal
``mime_type`` strings. The canonical name is the IANA-registered one where there is one
(``audio/flac``, ``video/matroska``: RFC 9639 and RFC 9559; ``image/bmp``: RFC 7903;
``image/vnd.microsoft.icon``); where IANA has none that clients understand, it is the name
browsers use (``audio/wav`` rather than IANA's ``audio/vnd.wave``, ``audio/aiff``).

The table below (``_CANONICAL``) lists every alias this module rewrites.

Magic numbers cannot tell an audio-only MP4 from a video one (both are ``video/mp4``), nor
Theora from Vorbis in Ogg (always ``audio/ogg``); :mod:`core.probe` says which streams a
file really holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import filetype

__all__ = ["SNIFF_BYTES", "canonical_mime", "detect_mime", "is_media_mime"]

# filetype's matchers look no further than this.
SNIFF_BYTES: Final = 8192

# alias -> canonical. Sources: filetype's own names (the x- ones it returns for WAV, FLAC,
# AIFF, Matroska, M4V, ICO), and what browsers and older servers send as Content-Type.
_CANONICAL: Final = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-pn-wav": "audio/wav",
    "audio/x-flac": "audio/flac",
    "audio/x-aiff": "audio/aiff",
    "audio/mp3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "audio/x-aac": "audio/aac",
    "audio/x-matroska": "audio/matroska",
    "video/x-matroska": "video/matroska",
    "video/x-m4v": "video/mp4",  # M4V is MP4 with an Apple brand
    # AVI has no registered name; x-msvideo is the one every tool knows.
    "video/avi": "video/x-msvideo",
    "video/msvideo": "video/x-msvideo",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "image/x-icon": "image/vnd.microsoft.icon",
}
_MEDIA_TYPES: Final = frozenset({"audio", "video", "image"})


def detect_mime(path: Path) -> str | None:
    """The canonical media type of ``path``'s content, or None when no signature matches.

    Reads only the first 8 KiB. Raises OSError when the file cannot be read.
    """
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    kind = filetype.guess(head) if head else None
    return canonical_mime(kind.mime) if kind is not None else None


def canonical_mime(mime: str) -> str:
    """``mime`` lower-cased, without parameters, and with aliases mapped as the table says."""
    bare = mime.split(";", 1)[0].strip().lower()
    return _CANONICAL.get(bare, bare)


def is_media_mime(mime: str | None) -> bool:
    """True for audio/*, video/* and image/* (aliases and parameters allowed)."""
    if not mime:
        return False
    top, slash, sub = canonical_mime(mime).partition("/")
    return bool(slash and sub) and top in _MEDIA_TYPES
