"""The files behind one local object: its sidecar, and how a new one is written.

Bytes go to a hidden temp file beside their final name (hashed on the way and fsynced), the
sidecar is written next, and a rename gives the object its name: a reader never sees a
partial object, nor a new one without its description.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from core.errors import InvalidInput

__all__ = [
    "checked_description",
    "copy_to_temp",
    "publish",
    "read_sidecar",
    "sidecar_path",
    "write_json_atomically",
]

_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


def checked_description(sha256: str, metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Refuse a malformed checksum; return the metadata with the lower-case names S3 gives."""
    if not _SHA256.fullmatch(sha256):
        raise InvalidInput("sha256 must be 64 lowercase hex digits", value=sha256)
    return {name.lower(): value for name, value in (metadata or {}).items()}


def publish(
    staged: Path, target: Path, *, content_type: str, sha256: str, meta: Mapping[str, str], size: int
) -> None:
    """Give the staged file its object name. Sidecar first: once a new object appears under its
    name, its description is already there, so a reader never sees it without its checksum."""
    description = {"content_type": content_type, "sha256": sha256, "metadata": dict(meta), "size_bytes": size}
    write_json_atomically(sidecar_path(target), description)
    os.replace(staged, target)


def sidecar_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.meta.json")


def read_sidecar(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def copy_to_temp(reader: BinaryIO, target: Path) -> tuple[Path, int, str]:
    """Copy ``reader`` into a new hidden temp file beside ``target``; return it, its size and sha256.

    The temp file is removed if the copy fails; on success the caller renames or removes it.
    """
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    staged = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(handle, "wb") as writer:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
                size += len(chunk)
            writer.flush()
            # Durable before the rename publishes it: a crash must not leave a named, empty object.
            os.fsync(writer.fileno())
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged, size, digest.hexdigest()


def write_json_atomically(path: Path, data: Mapping[str, object]) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as writer:
            json.dump(data, writer, sort_keys=True)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
