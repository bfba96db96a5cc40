"""The storage Protocol every backend implements, and the values it passes around.

Backends are synchronous (boto3 is); async callers go through ``anyio.to_thread``. Every
key a backend accepts has passed :func:`core.storage.keys.check_key`, so it is always under
``tenants/`` and never contains ``..`` or an empty segment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

__all__ = ["ObjectInfo", "PresignedUrl", "Storage"]


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size_bytes: int
    content_type: str
    sha256: str | None
    metadata: Mapping[str, str] = field(default_factory=dict)
    # Unix seconds of the last write, where the store knows it; not part of what an object is.
    modified_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PresignedUrl:
    url: str
    method: Literal["GET", "PUT"]
    expires_at: int  # unix seconds
    headers: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class Storage(Protocol):
    """An object store addressed by validated keys."""

    name: str

    def ping(self) -> None:
        """Raise :class:`core.errors.StorageError` when the store cannot be reached."""

    def put_file(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        sha256: str,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        """Store ``source`` under ``key``; readers never see a partial object."""

    def head(self, key: str) -> ObjectInfo | None:
        """Describe ``key``, or ``None`` when it does not exist."""

    def download(self, key: str, dest: Path) -> None:
        """Copy ``key`` to ``dest`` (temp file, then rename); raise ``StorageError`` if absent."""

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""

    def list(self, prefix: str, *, start_after: str | None = None) -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, in key order; only keys after
        ``start_after`` when it is given (a page's last key: the next page starts there)."""

    def tenant_ids(self) -> Iterator[str]:
        """Every tenant that has objects (for housekeeping sweeps across tenants)."""

    def presign_get(self, key: str, ttl_s: int) -> PresignedUrl:
        """A URL anyone holding it may GET until it expires."""

    def presign_put(self, key: str, ttl_s: int, *, content_type: str) -> PresignedUrl:
        """A URL anyone holding it may PUT one object to until it expires."""
