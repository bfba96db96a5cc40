"""Bring a file into a private temp file, hashing and size-checking as it streams.

Every source (local path, URL, presigned upload) lands here first, so checksum, size limit
and media checks see exactly the bytes that will be stored.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.errors import TooLarge

__all__ = ["StagedFile", "adopt", "file_chunks", "handle_chunks", "stage_chunks"]

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StagedFile:
    path: Path
    sha256: str
    size_bytes: int


def stage_chunks(chunks: Iterable[bytes], directory: Path, *, max_bytes: int, what: str) -> StagedFile:
    """Write ``chunks`` to a new temp file in ``directory``; delete it again on any failure."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="stage-", suffix=".part")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"{what} is larger than the limit of {max_bytes} bytes", value=size)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return StagedFile(Path(name), digest.hexdigest(), size)


def adopt(path: Path, *, max_bytes: int, what: str) -> StagedFile:
    """Stage a file that is already private to us (e.g. a download) without copying it again;
    it is deleted when it breaks the size limit, as a staged file would be."""
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in file_chunks(path):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"{what} is larger than the limit of {max_bytes} bytes", value=size)
            digest.update(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StagedFile(path, digest.hexdigest(), size)


def file_chunks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as handle:
        yield from handle_chunks(handle)


def handle_chunks(handle: BinaryIO) -> Iterator[bytes]:
    """The rest of an open file, in chunks (an already opened file: its path is not reread)."""
    while chunk := handle.read(_CHUNK):
        yield chunk
