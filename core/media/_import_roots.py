"""Local files under the import roots, checked by path and then opened without following links.

The check resolves the path (symlinks and ``..`` included) and refuses anything outside the
roots. Between that check and the open, the file or a folder above it could be swapped for a
symlink to somewhere else; so the open walks down from the root's directory, one component
of the resolved path at a time, with ``O_NOFOLLOW`` at every step. A swapped component makes
the open fail, and the open file, not the path, is what gets read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.errors import PathNotAllowed

__all__ = ["LocalFile", "check_local_path", "open_local_file"]

# Linux's NAME_MAX and PATH_MAX.
_MAX_NAME_BYTES = 255
_MAX_PATH_BYTES = 4096
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO someone put there must not hang; only regular files pass fstat.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY


@dataclass(frozen=True)
class LocalFile:
    """A file that passed the root check: its root and the components below it."""

    root: Path
    parts: tuple[str, ...]
    raw: str

    @property
    def path(self) -> Path:
        return self.root.joinpath(*self.parts)

    @property
    def name(self) -> str:
        return self.parts[-1]


def check_local_path(raw: str, roots: tuple[Path, ...]) -> LocalFile:
    """The file ``raw`` names, if it resolves to a regular file under one of ``roots``."""
    if not roots:
        raise PathNotAllowed(
            "this server accepts no local paths",
            value=raw,
            hint="Set ATOMS_IMPORT_ROOTS on the server, or upload with presign_upload and register the upload.",
        )
    _check_spelling(raw)
    candidate = Path(raw).expanduser()
    if not candidate.is_absolute():
        candidate = roots[0] / candidate
    resolved = candidate.resolve()
    root = next((root for root in roots if resolved.is_relative_to(root)), None)
    if root is None:
        raise PathNotAllowed("path is outside the import roots", value=raw)
    if not resolved.is_file():
        raise PathNotAllowed(
            "no such file under the import roots",
            value=raw,
            hint="Check the path; it must name a regular file under ATOMS_IMPORT_ROOTS.",
        )
    return LocalFile(root, resolved.relative_to(root).parts, raw)


def _check_spelling(raw: str) -> None:
    """Refuse what no file system path can be, before any system call sees it (a NUL byte
    would raise ValueError there, an over-long name OSError)."""
    if not raw.isprintable():
        raise PathNotAllowed(
            "the path holds a NUL byte or another control character",
            value=raw.encode("unicode_escape").decode("ascii"),
            hint="Send the path as plain text, as it appears in a file listing.",
        )
    encoded = raw.encode("utf-8", errors="surrogateescape")
    if len(encoded) > _MAX_PATH_BYTES or any(len(part) > _MAX_NAME_BYTES for part in encoded.split(b"/")):
        raise PathNotAllowed(
            f"the path is longer than a file system allows ({_MAX_NAME_BYTES} bytes a name, "
            f"{_MAX_PATH_BYTES} in all)",
            value=raw,
            hint="Check the path; rename the file or folder if its name really is that long.",
        )


def open_local_file(local: LocalFile) -> BinaryIO:
    """Open ``local`` for reading, following no symlink below its root (raises PathNotAllowed)."""
    try:
        fd = _open_below(local.root, local.parts)
    except OSError:
        raise PathNotAllowed(
            "the file or a folder above it changed after the path was checked",
            value=local.raw,
            hint="Register a regular file under ATOMS_IMPORT_ROOTS, reached without symlinks that change.",
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PathNotAllowed("not a regular file", value=local.raw)
    return os.fdopen(fd, "rb")


def _open_below(root: Path, parts: tuple[str, ...]) -> int:
    folder = os.open(root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            below = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = below
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=folder)
    finally:
        os.close(folder)
