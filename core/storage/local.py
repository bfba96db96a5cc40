"""Embedded storage on local disk: the default for ``ATOMS_ENV=local``.

Each object lives at ``root/<key>``; its description (content type, sha256, metadata) lives
in a hidden sidecar ``.<name>.meta.json`` beside it. Object names never start with '.'
(:func:`core.identifiers.validate_filename` forbids it), so sidecars and temp files can never
collide with an object, and listing skips every hidden name.

Object and sidecar are replaced by two renames. The sidecar records the size it describes, so
a reader that falls between the renames of an overwrite gets "checksum unknown" rather than a
wrong one (unless old and new are the same size; keys are content-addressed, so an overwrite
normally carries the same bytes). Inodes would be stricter, but do not survive a backup/restore.

Two shortcuts for callers on the same disk: :meth:`LocalStorage.move_in` stores a private,
already hashed file by renaming it (no copy), and :meth:`LocalStorage.link_out` hands a reader
a hard link to an object instead of a copy.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

from core.errors import ConfigError, InvalidIdentifier, InvalidInput, NotFound, StorageError
from core.identifiers import validate_identifier
from core.storage._local_files import (
    checked_description,
    copy_to_temp,
    publish,
    read_sidecar,
    sidecar_path,
)
from core.storage.base import ObjectInfo, PresignedUrl
from core.storage.keys import check_key
from core.storage.signing import Method, sign, verify

__all__ = ["LocalStorage"]

_DEFAULT_CONTENT_TYPE = "application/octet-stream"
_STAGING_DIR = ".staging"
# link() failures that mean "not here, copy instead": another device, a file system without
# hard links, a link count at its limit.
_CANNOT_LINK = frozenset({errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK})


class LocalStorage:
    """Objects as files under ``root``, with HMAC-signed expiring URLs served by ``media_routes``."""

    name = "local"

    def __init__(
        self,
        root: Path,
        *,
        base_url: str,
        secret: bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ConfigError("the media signing secret is empty", value="ATOMS_SIGNING_KEY")
        self.root = root.expanduser().resolve()
        self.base_url = base_url.rstrip("/")
        self._secret = secret
        self._clock = clock

    def ping(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as exc:
            raise StorageError(
                "the local media root is not writable",
                value=str(self.root),
                hint="Check ATOMS_DATA_DIR: its media/ folder must exist or be creatable, and be writable.",
            ) from exc

    def put_file(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        sha256: str,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        target = self._object_path(key)
        meta = checked_description(sha256, metadata)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as reader:
                staged, size, digest = copy_to_temp(reader, target)
            try:
                # The content is hashed on its way in, so a source that changed (or ended early)
                # while being copied is refused instead of stored under a wrong checksum.
                if digest != sha256:
                    raise InvalidInput(
                        "the file's content does not match the sha256 given for it",
                        value=key,
                        details={"expected_sha256": sha256, "actual_sha256": digest},
                    )
                publish(staged, target, content_type=content_type, sha256=sha256, meta=meta, size=size)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"could not store {key}", value=key) from exc
        return ObjectInfo(key=key, size_bytes=size, content_type=content_type, sha256=sha256, metadata=meta)

    def move_in(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        sha256: str,
        size_bytes: int,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo | None:
        """Store ``source`` under ``key`` by renaming it into place: no copy, no second hash.

        Only for a file private to the caller whose ``sha256`` and ``size_bytes`` the caller
        computed itself (a staged file): nobody else can change it, so its content is not read
        again; only its size is checked. The file is made durable before it gets its name, as
        with :meth:`put_file`. Returns None, leaving ``source`` where it was, when it lies on
        another file system (then use :meth:`put_file`); on any other failure ``source`` is gone.
        """
        target = self._object_path(key)
        meta = checked_description(sha256, metadata)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
            try:
                os.rename(source, staged)
            except OSError as exc:
                if exc.errno == errno.EXDEV:
                    return None
                raise
            try:
                with staged.open("rb") as reader:
                    size = os.fstat(reader.fileno()).st_size
                    if size != size_bytes:
                        raise InvalidInput(
                            "the file changed after it was hashed",
                            value=key,
                            details={"expected_size": size_bytes, "actual_size": size},
                        )
                    # Durable before the rename publishes it: a crash must not leave a named, empty object.
                    os.fsync(reader.fileno())
                os.chmod(staged, 0o600)  # as private as an object written by put_file
                publish(staged, target, content_type=content_type, sha256=sha256, meta=meta, size=size)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"could not store {key}", value=key) from exc
        return ObjectInfo(key=key, size_bytes=size, content_type=content_type, sha256=sha256, metadata=meta)

    def link_out(self, key: str, dest: Path) -> bool:
        """Make ``dest`` (a new name) a hard link to the object ``key``: the stored bytes, with no copy.

        For readers only (ffmpeg inputs): writing into ``dest`` would change the stored object.
        The link keeps the bytes readable even if the object is deleted or replaced meanwhile
        (both only rename or unlink the name). Returns False, creating nothing, where the file
        system cannot link there (another device, no hard links): then use :meth:`download`.
        Raises ``NotFound`` when there is no such object.
        """
        path = self._object_path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, dest)
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound("no object under this key", value=key) from None
        except OSError as exc:
            if exc.errno in _CANNOT_LINK:
                return False
            raise StorageError(f"could not link {key}", value=key) from exc
        return True

    def head(self, key: str) -> ObjectInfo | None:
        path = self._object_path(key)
        try:
            status = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise StorageError(f"could not read {key}", value=key) from exc
        if not stat.S_ISREG(status.st_mode):
            return None
        return self._describe(key, path, status)

    def open_object(self, key: str) -> tuple[BinaryIO, ObjectInfo]:
        """Open ``key`` for reading, with a description that matches the opened file.

        The size comes from the open descriptor, so a concurrent overwrite (which replaces the
        name, not the file) cannot make the length disagree with the bytes read.
        """
        path = self._object_path(key)
        try:
            reader = path.open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise NotFound("no object under this key", value=key) from None
        except OSError as exc:
            raise StorageError(f"could not read {key}", value=key) from exc
        try:
            return reader, self._describe(key, path, os.fstat(reader.fileno()))
        except BaseException:
            reader.close()
            raise

    def download(self, key: str, dest: Path) -> None:
        path = self._object_path(key)
        try:
            reader = path.open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise StorageError(
                "no object under this key", value=key, hint="Check the key; it may have been deleted."
            ) from None
        except OSError as exc:
            raise StorageError(f"could not read {key}", value=key) from exc
        try:
            with reader:
                dest.parent.mkdir(parents=True, exist_ok=True)
                staged, _, _ = copy_to_temp(reader, dest)
            try:
                os.replace(staged, dest)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"could not download {key}", value=key) from exc

    def delete(self, key: str) -> None:
        path = self._object_path(key)
        try:
            path.unlink(missing_ok=True)
            sidecar_path(path).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"could not delete {key}", value=key) from exc
        # Empty folders are left in place: removing them would race with a concurrent put that
        # has just created the same folder and is about to write into it.

    def list(self, prefix: str, *, start_after: str | None = None) -> Iterator[ObjectInfo]:
        check_key(prefix)
        # Validated now, not on the first next(): a bad prefix fails where list() is called.
        return self._list(prefix, start_after)

    def presign_get(self, key: str, ttl_s: int) -> PresignedUrl:
        return self._presign("GET", key, ttl_s, {})

    def presign_put(self, key: str, ttl_s: int, *, content_type: str) -> PresignedUrl:
        return self._presign("PUT", key, ttl_s, {"Content-Type": content_type})

    def check_presigned(self, method: str, key: str, expires: str | None, signature: str | None) -> None:
        """Raise ``PresignInvalid``/``PresignExpired`` unless the URL's signature allows this call."""
        verify(self._secret, method, key, expires, signature, self._clock())
        self._object_path(key)

    def staging_dir(self) -> Path:
        """A hidden folder on the same disk as the objects, for uploads still arriving."""
        path = self.root / _STAGING_DIR
        path.mkdir(parents=True, exist_ok=True)
        return path

    def tenant_ids(self) -> Iterator[str]:
        tenants = self.root / "tenants"
        if tenants.is_dir():
            for entry in sorted(tenants.iterdir()):
                if entry.is_dir() and not entry.is_symlink() and _is_identifier(entry.name):
                    yield entry.name

    def _list(self, prefix: str, start_after: str | None) -> Iterator[ObjectInfo]:
        # A prefix may end mid-name ('.../asset-1' matches 'asset-1' and 'asset-12'), so walk
        # from its last complete folder and filter on the full key.
        base = self._inside_root(prefix.rpartition("/")[0])
        keys: list[str] = []
        for folder, subfolders, files in os.walk(base, onerror=_raise_unless_missing):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            relative = Path(folder).relative_to(self.root).as_posix()
            for name in files:
                key = f"{relative}/{name}"
                if not name.startswith(".") and key.startswith(prefix) and _is_object_key(key):
                    keys.append(key)
        # A folder walk is not key order ('a-b/x' sorts before 'a/x'), hence the sort.
        for key in sorted(keys):
            if start_after is not None and key <= start_after:
                continue
            info = self.head(key)
            if info is not None:  # deleted since the walk
                yield info

    def _presign(self, method: Method, key: str, ttl_s: int, headers: Mapping[str, str]) -> PresignedUrl:
        self._object_path(key)
        if ttl_s < 1:
            raise InvalidInput("a presigned URL must live at least one second", value=ttl_s)
        expires_at = int(self._clock()) + ttl_s
        query = urlencode(
            {
                "method": method,
                "expires": expires_at,
                "signature": sign(self._secret, method, key, expires_at),
            }
        )
        path = "/".join(quote(segment, safe="") for segment in key.split("/"))
        return PresignedUrl(
            url=f"{self.base_url}/media/{path}?{query}",
            method=method,
            expires_at=expires_at,
            headers=dict(headers),
        )

    def _object_path(self, key: str) -> Path:
        check_key(key)
        if key.endswith("/"):
            raise InvalidIdentifier("an object key cannot end with '/'", value=key)
        return self._inside_root(key)

    def _inside_root(self, key: str) -> Path:
        # check_key already refuses '..', so this only fires if something under root (a
        # symlink, say) points elsewhere: defence in depth, never the first line.
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidIdentifier("storage key resolves outside the media root", value=key)
        return path

    def _describe(self, key: str, path: Path, status: os.stat_result) -> ObjectInfo:
        sidecar = read_sidecar(sidecar_path(path))
        if sidecar.get("size_bytes") != status.st_size:
            # Written for another file (an overwrite is between its two renames), or missing or
            # damaged: describing the object without it beats reporting a wrong checksum.
            sidecar = {}
        content_type = sidecar.get("content_type")
        sha256 = sidecar.get("sha256")
        metadata = sidecar.get("metadata")
        return ObjectInfo(
            key=key,
            size_bytes=status.st_size,
            content_type=content_type if isinstance(content_type, str) else _DEFAULT_CONTENT_TYPE,
            sha256=sha256 if isinstance(sha256, str) else None,
            metadata=(
                {str(name): str(value) for name, value in metadata.items()}
                if isinstance(metadata, dict)
                else {}
            ),
            modified_at=status.st_mtime,
        )


def _is_object_key(key: str) -> bool:
    # Files an operator dropped into the tree by hand are not objects if no key could name them.
    try:
        check_key(key)
    except InvalidIdentifier:
        return False
    return True


def _is_identifier(name: str) -> bool:
    try:
        validate_identifier(name, "tenant_id")
    except InvalidIdentifier:
        return False
    return True


def _raise_unless_missing(error: OSError) -> None:
    if not isinstance(error, FileNotFoundError):
        raise error
