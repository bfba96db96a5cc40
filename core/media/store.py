"""Tenant-scoped media assets on any :class:`~core.storage.Storage`.

The one place that turns a staged file into a stored asset and back. Every method takes the
caller's :class:`~core.scope.Scope`; keys are built from it, so no call can reach another
tenant's objects. media_v2 exposes this as tools; other muscles register their outputs here.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

import anyio
from pydantic import TypeAdapter, ValidationError

from core.errors import (
    AssetNotFound,
    InvalidIdentifier,
    InvalidInput,
    NotFound,
    NotMedia,
    StorageError,
    UploadNotFound,
)
from core.identifiers import validate_filename, validate_identifier
from core.media._fetch_limits import FetchLimits
from core.media.mime import detect_mime, is_media_mime
from core.media.probe import MediaInfo, probe_sync
from core.media.ref import MediaRef, media_uri, parse_media_uri
from core.media.sources import FetchPolicy, LocalFile, check_local_path, fetch_url, open_local_file
from core.media.staging import StagedFile, adopt, file_chunks, handle_chunks, stage_chunks
from core.scope import Scope
from core.settings import Settings
from core.storage import (
    ObjectInfo,
    PresignedUrl,
    Storage,
    asset_key,
    open_storage,
    tenant_prefix,
    upload_key,
    upload_prefix,
)

__all__ = ["MediaStore", "SourcePolicy"]

UPLOAD_SCHEME = "upload://"
_URL_PREFIXES = ("http://", "https://")

_META_FIELDS = ("duration_s", "width", "height", "fps", "sample_rate", "channels")
# The whole probe made at registration, kept so that tools reading the asset later (a render's
# inputs) need not run ffprobe on it again. Absent on objects stored before it existed.
_PROBE_META = "probe"
_PROBE_INFO = TypeAdapter(MediaInfo)


def _metadata(info: MediaInfo) -> dict[str, str]:
    values = {
        "duration_s": info.duration_s,
        "width": info.width,
        "height": info.height,
        "fps": info.fps,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
    }
    meta = {k: repr(round(v, 6) if isinstance(v, float) else v) for k, v in values.items() if v is not None}
    meta[_PROBE_META] = json.dumps(dataclasses.asdict(info), sort_keys=True, separators=(",", ":"))
    return meta


def _probe_from(metadata: Mapping[str, str]) -> MediaInfo | None:
    recorded = metadata.get(_PROBE_META)
    if recorded is None:
        return None
    try:
        return _PROBE_INFO.validate_json(recorded, strict=True)
    except ValidationError:
        return None  # written by another version of MediaInfo: probe afresh


@runtime_checkable
class _SameDiskStorage(Protocol):
    """What :class:`core.storage.LocalStorage` adds to the Storage protocol: storing by rename
    and reading through a hard link, both where the files share one file system."""

    def move_in(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        sha256: str,
        size_bytes: int,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo | None: ...

    def link_out(self, key: str, dest: Path) -> bool: ...


def _ref_from(info: ObjectInfo, asset_id: str, filename: str) -> MediaRef:
    if info.sha256 is None:
        # Only an object changed behind the store's back lacks its checksum; never guess one.
        raise StorageError("the stored asset has no verifiable checksum", value=f"{asset_id}/{filename}")
    meta = info.metadata
    numbers: dict[str, float | int] = {}
    for name in _META_FIELDS:
        if name in meta:
            numbers[name] = float(meta[name]) if name in ("duration_s", "fps") else int(meta[name])
    return MediaRef(
        uri=media_uri(asset_id, filename),
        asset_id=asset_id,
        filename=filename,
        mime_type=info.content_type,
        size_bytes=info.size_bytes,
        sha256=info.sha256,
        **numbers,
    )


@dataclass(frozen=True)
class SourcePolicy:
    """Where :meth:`MediaStore.register_source` may read from."""

    import_roots: tuple[Path, ...] = ()
    allow_private_urls: bool = False
    fetch_timeout_s: float = 60.0
    fetch_deadline_s: float = 600.0
    fetch_concurrency_per_tenant: int = 4


class MediaStore:
    """Register, describe, list, presign and delete a tenant's media assets."""

    def __init__(
        self,
        storage: Storage,
        *,
        env: str,
        work_dir: Path,
        max_bytes: int,
        sources: SourcePolicy | None = None,
    ) -> None:
        self.storage = storage
        self.env = env
        self.work_dir = work_dir
        self.max_bytes = max_bytes
        self.sources = sources or SourcePolicy()
        self.fetch_limits = FetchLimits(self.sources.fetch_concurrency_per_tenant)

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Callable[[], float] = time.time) -> MediaStore:
        return cls(
            open_storage(settings, clock=clock),
            env=settings.env,
            work_dir=settings.data_dir / "staging",
            max_bytes=settings.max_asset_bytes,
            sources=SourcePolicy(
                import_roots=settings.resolved_import_roots,
                allow_private_urls=settings.allow_private_urls,
                fetch_timeout_s=settings.fetch_timeout_s,
                fetch_deadline_s=settings.fetch_deadline_s,
                fetch_concurrency_per_tenant=settings.fetch_concurrency_per_tenant,
            ),
        )

    # --- bringing bytes in -------------------------------------------------------------

    def fetch_slot(
        self, scope: Scope, source: str
    ) -> AbstractAsyncContextManager[anyio.CapacityLimiter | None]:
        """Hold one of the tenant's URL-fetch slots while ``source`` is registered (raises
        FetchLimitReached when none is free); yields the thread limiter to register it on,
        None (the default limiter) when ``source`` is not a URL."""
        if not source.startswith(_URL_PREFIXES):
            return nullcontext()
        return self.fetch_limits.slot(scope.tenant_id)

    def register_source(self, scope: Scope, source: str, filename: str | None = None) -> MediaRef:
        """Register ``source``: a path under the import roots, an http(s) URL, or upload://<id>."""
        staged, name = self.stage_source(scope, source, filename)
        return self.register_staged(scope, staged, name)

    def stage_source(self, scope: Scope, source: str, filename: str | None) -> tuple[StagedFile, str]:
        """Bring ``source`` into a staged file; return it and the filename to store it under."""
        if filename is not None:
            validate_filename(filename)
        if source.startswith(UPLOAD_SCHEME):
            staged, uploaded_name = self.stage_upload(scope, source.removeprefix(UPLOAD_SCHEME))
            return staged, filename or uploaded_name
        if source.startswith(_URL_PREFIXES):
            name = _filename_for(filename or unquote(urlsplit(source).path.rsplit("/", 1)[-1]), source)
            policy = self.sources
            fetch = FetchPolicy(
                allow_private=policy.allow_private_urls,
                timeout_s=policy.fetch_timeout_s,
                deadline_s=policy.fetch_deadline_s,
            )
            chunks = fetch_url(source, fetch)
            return stage_chunks(chunks, self.work_dir, max_bytes=self.max_bytes, what=source), name
        if "://" in source:
            raise InvalidInput(
                "unsupported source",
                value=source,
                hint="Use a path under the import roots, an http(s) URL or upload://<upload_id>.",
            )
        local = check_local_path(source, self.sources.import_roots)
        return self.stage_import(local), _filename_for(filename or local.name, source)

    def stage_import(self, local: LocalFile) -> StagedFile:
        """Stage a checked file under the import roots from its descriptor, opened without
        following symlinks (raises PathNotAllowed when it changed since the check)."""
        with open_local_file(local) as handle:
            return stage_chunks(
                handle_chunks(handle), self.work_dir, max_bytes=self.max_bytes, what=local.name
            )

    def stage_local(self, path: Path) -> StagedFile:
        return stage_chunks(file_chunks(path), self.work_dir, max_bytes=self.max_bytes, what=path.name)

    def register_staged(self, scope: Scope, staged: StagedFile, filename: str) -> MediaRef:
        """Check that ``staged`` is decodable media and store it; the staged file is consumed."""
        try:
            validate_filename(filename)
            mime = detect_mime(staged.path)
            if mime is None or not is_media_mime(mime):
                raise NotMedia("the file is not audio, video or an image", value=mime or filename)
            info = probe_sync(staged.path)
            asset_id = staged.sha256[:32]
            key = asset_key(scope.tenant_id, self.env, asset_id, filename)
            metadata = _metadata(info)
            stored = None
            if isinstance(self.storage, _SameDiskStorage):
                # The staged file is private and already hashed: rename it into place.
                stored = self.storage.move_in(
                    key,
                    staged.path,
                    content_type=mime,
                    sha256=staged.sha256,
                    size_bytes=staged.size_bytes,
                    metadata=metadata,
                )
            if stored is None:
                stored = self.storage.put_file(
                    key, staged.path, content_type=mime, sha256=staged.sha256, metadata=metadata
                )
            return _ref_from(stored, asset_id, filename)
        finally:
            staged.path.unlink(missing_ok=True)

    def presign_upload(
        self, scope: Scope, filename: str, *, content_type: str, ttl_s: int
    ) -> tuple[str, PresignedUrl]:
        """A fresh upload id and the URL to PUT the file to."""
        upload_id = "up-" + secrets.token_hex(12)
        key = upload_key(scope.tenant_id, self.env, upload_id, validate_filename(filename))
        return upload_id, self.storage.presign_put(key, ttl_s, content_type=content_type)

    def stage_upload(self, scope: Scope, upload_id: str) -> tuple[StagedFile, str]:
        """Pull a finished presigned upload into a staged file; return it and its filename."""
        validate_identifier(upload_id, "upload_id")
        found = list(self.storage.list(upload_prefix(scope.tenant_id, self.env, upload_id)))
        if not found:
            raise UploadNotFound("no upload arrived under this id", value=upload_id)
        obj = found[0]
        filename = obj.key.rsplit("/", 1)[-1]
        self.work_dir.mkdir(parents=True, exist_ok=True)
        downloaded = self.work_dir / f"upload-{secrets.token_hex(8)}.part"
        try:
            self.storage.download(obj.key, downloaded)
        except BaseException:
            downloaded.unlink(missing_ok=True)
            raise
        # The download is already a private file: hash it where it lies instead of copying it.
        staged = adopt(downloaded, max_bytes=self.max_bytes, what=upload_id)
        self.storage.delete(obj.key)
        return staged, filename

    # --- reading -----------------------------------------------------------------------

    def _locate(self, scope: Scope, uri: str) -> tuple[str, str, str]:
        asset_id, filename = parse_media_uri(uri)
        return asset_id, filename, asset_key(scope.tenant_id, self.env, asset_id, filename)

    def resolve(self, scope: Scope, uri: str) -> tuple[MediaRef, str]:
        """An existing asset's MediaRef and storage key, from one lookup (raises AssetNotFound)."""
        asset_id, filename, key = self._locate(scope, uri)
        info = self.storage.head(key)
        if info is None:
            raise AssetNotFound("no such asset for this tenant", value=uri)
        return _ref_from(info, asset_id, filename), key

    def stat(self, scope: Scope, uri: str) -> MediaRef:
        return self.resolve(scope, uri)[0]

    def key_of(self, scope: Scope, uri: str) -> str:
        """The storage key of an existing asset (raises AssetNotFound)."""
        return self.resolve(scope, uri)[1]

    def list(self, scope: Scope) -> list[MediaRef]:
        prefix = tenant_prefix(scope.tenant_id, self.env)
        refs = []
        for info in self.storage.list(prefix):
            asset_id, filename = info.key[len(prefix) :].split("/", 1)
            refs.append(_ref_from(info, asset_id, filename))
        return refs

    def presign_download(self, scope: Scope, uri: str, *, ttl_s: int) -> PresignedUrl:
        return self.storage.presign_get(self.key_of(scope, uri), ttl_s)

    def materialize(self, scope: Scope, uri: str, dest: Path) -> Path:
        """Copy an asset to ``dest`` (a local file) for tools that need a path, e.g. ffmpeg."""
        self.storage.download(self.key_of(scope, uri), dest)
        return dest

    def open_for_reading(self, scope: Scope, uri: str, dest: Path) -> tuple[Path, MediaInfo | None]:
        """An asset at ``dest`` for a reader that never writes to it (an ffmpeg input), and the
        probe recorded when it was registered (None when it has none: probe ``dest`` yourself).

        On local storage ``dest`` is a hard link to the stored file (no copy; it stays readable
        if the asset is deleted meanwhile); elsewhere it is a download. Raises AssetNotFound.
        """
        key = self._locate(scope, uri)[2]
        info = self.storage.head(key)
        if info is None:
            raise AssetNotFound("no such asset for this tenant", value=uri)
        try:
            if not (isinstance(self.storage, _SameDiskStorage) and self.storage.link_out(key, dest)):
                self.storage.download(key, dest)
        except NotFound:
            raise AssetNotFound("no such asset for this tenant", value=uri) from None
        return dest, _probe_from(info.metadata)

    def delete(self, scope: Scope, uri: str) -> MediaRef:
        ref, key = self.resolve(scope, uri)
        self.storage.delete(key)
        return ref


def _filename_for(name: str, source: str) -> str:
    try:
        return validate_filename(Path(name).name if name else "")
    except InvalidIdentifier:
        raise InvalidIdentifier(
            "cannot take a valid file name from the source",
            value=source,
            hint="Pass filename= with a name such as clip.mp4.",
        ) from None
