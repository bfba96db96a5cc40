"""Keeping the server's file paths out of what a client is told.

ffmpeg and ffprobe name their inputs and outputs by the paths they were given, and their
words reach remote clients (MCP tool errors): a client sees the file's name, never where
the server keeps it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["scrub_paths"]


def scrub_paths(text: str, paths: Iterable[str | os.PathLike[str]]) -> str:
    """``text`` with each of ``paths`` replaced by its base name.

    A path is found as given, made absolute, and as a ``file:`` URL. Longer spellings go
    first, so that no fragment of a longer one (``file:/a/b`` holds ``/a/b``) is left behind.
    """
    names: dict[str, str] = {}
    for path in paths:
        given = os.fspath(path)
        plain = Path(given)
        if not plain.name:  # "/" or "": no name to show, and replacing it would mangle the text
            continue
        absolute = str(plain.absolute())
        for shown in (given, str(plain), absolute, f"file:{absolute}"):
            names.setdefault(shown, plain.name)
    for shown in sorted(names, key=len, reverse=True):
        text = text.replace(shown, names[shown])
    return text
