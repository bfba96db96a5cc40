"""The first bytes of common media files: how bytes that travel as text or numbers give themselves away."""

from __future__ import annotations

__all__ = ["starts_like_media"]

_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"RIFF",  # WAV, AVI, WebP
    b"OggS",
    b"fLaC",
    b"ID3",  # MP3
    b"%PDF-",
    b"\x1aE\xdf\xa3",  # Matroska, WebM
    b"PK\x03\x04",
    b"wOFF",
    b"wOF2",
    b"<svg",
    b"<?xml",
    b"II*\x00",  # TIFF
    b"MM\x00*",
)


def starts_like_media(head: bytes) -> bool:
    """Whether ``head`` (a file's first 8 bytes or more) is the start of a known media format."""
    return head.startswith(_SIGNATURES) or head[4:8] == b"ftyp"  # MP4, MOV, HEIC
