"""Tenant-scoped media assets on any :class:`~core.storage.Storage`.

The one place that turns a staged file into a stored asset and back. Every method takes the
caller's :class:`~core.scope.Scope`; keys are built from it, so no call can reach another
tenant's objects. media_v2 exposes this as tools; the runtime's Workspace reads tools'
inputs and stores their outputs through it.

A media asset's metadata holds one thing: its registration probe (:class:`MediaInfo`, as
JSON), from which its MediaRef is built and which every later reader reuses. A document
(subtitles, JSON) is stored the same way without one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import anyio

from core.errors import AssetNotFound, NotFound, NotMedia, StorageError
from core.identifiers import validate_filename
from core.media.documents import document_mime
from core.media.info import MediaInfo
from core.media.intake import Intake, SourcePolicy
from core.media.mime import detect_mime, is_media_mime
from core.media.probe import probe_sync
from core.media.ref import MediaRef, MediaUri
from core.media.staging import StagedFile
from core.metering.meter import add_bytes_in, add_bytes_out
from core.scope import Scope
from core.settings import Settings
from core.storage import ObjectInfo, PresignedUrl, Storage, asset_key, open_storage, tenant_prefix, upload_key

__all__ = ["MediaStore", "SourcePolicy", "StoredAsset"]

_PROBE_META = "probe"


@dataclass(frozen=True)
class StoredAsset:
    """One stored asset: its MediaRef, its recorded probe (None for documents and for objects
    stored without one) and its storage key."""

    ref: MediaRef
    info: MediaInfo | None
    key: str


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


def _asset(obj: ObjectInfo, uri: MediaUri) -> StoredAsset:
    if obj.sha256 is None:
        # Only an object changed behind the store's back lacks its checksum; never guess one.
        raise StorageError("the stored asset has no verifiable checksum", value=str(uri))
    recorded = obj.metadata.get(_PROBE_META)
    info = MediaInfo.from_json(recorded) if recorded is not None else None
    ref = MediaRef.build(
        uri, mime_type=obj.content_type, size_bytes=obj.size_bytes, sha256=obj.sha256, info=info
    )
    return StoredAsset(ref, info, obj.key)


class MediaStore:
    """Register, describe, open, list, presign and delete a tenant's media assets."""

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
        self.intake = Intake(
            storage, env=env, work_dir=work_dir, max_bytes=max_bytes, sources=sources or SourcePolicy()
        )

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
        return self.intake.fetch_slot(scope, source)

    def register_source(self, scope: Scope, source: str, filename: str | None = None) -> MediaRef:
        """Register ``source``: a path under the import roots, an http(s) URL, or upload://<id>."""
        staged, name = self.intake.stage_source(scope, source, filename)
        add_bytes_in(staged.size_bytes)  # what came in from the path, URL or upload
        return self.register_staged(scope, staged, name)

    def stage_local(self, path: Path) -> StagedFile:
        return self.intake.stage_local(path)

    def register_staged(self, scope: Scope, staged: StagedFile, filename: str) -> MediaRef:
        """Check that ``staged`` is decodable media (or a LUT or subtitles, stored as a document:
        :mod:`core.media.documents`) and store it; the staged file is consumed."""
        document = document_mime(staged.path, filename)
        if document is not None:
            return self.store_document(scope, staged, filename, document)
        return self.store_media(scope, staged, filename).ref

    def store_media(self, scope: Scope, staged: StagedFile, filename: str) -> StoredAsset:
        """:meth:`register_staged`, returning the probe measured on the stored bytes too."""
        try:
            name = validate_filename(filename)
            mime = detect_mime(staged.path)
            if mime is None or not is_media_mime(mime):
                raise NotMedia("the file is not audio, video or an image", value=mime or filename)
            info = probe_sync(staged.path)
            return self._store(scope, staged, name, mime, {_PROBE_META: info.to_json()})
        finally:
            staged.path.unlink(missing_ok=True)

    def store_document(self, scope: Scope, staged: StagedFile, filename: str, mime_type: str) -> MediaRef:
        """Store a non-media output (subtitles, JSON, a report) as an asset; consumes ``staged``."""
        try:
            return self._store(scope, staged, validate_filename(filename), mime_type, None).ref
        finally:
            staged.path.unlink(missing_ok=True)

    def _store(
        self, scope: Scope, staged: StagedFile, filename: str, mime: str, metadata: dict[str, str] | None
    ) -> StoredAsset:
        uri = MediaUri(staged.sha256[:32], filename)
        key = asset_key(scope.tenant_id, self.env, uri.asset_id, uri.filename)
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
        add_bytes_out(staged.size_bytes)
        return _asset(stored, uri)

    def presign_upload(
        self, scope: Scope, filename: str, *, content_type: str, ttl_s: int
    ) -> tuple[str, PresignedUrl]:
        """A fresh upload id and the URL to PUT the file to."""
        upload_id = "up-" + secrets.token_hex(12)
        key = upload_key(scope.tenant_id, self.env, upload_id, validate_filename(filename))
        return upload_id, self.storage.presign_put(key, ttl_s, content_type=content_type)

    # --- reading -----------------------------------------------------------------------

    def describe(self, scope: Scope, uri: str | MediaUri) -> StoredAsset:
        """An existing asset from one storage lookup (raises AssetNotFound)."""
        parsed = MediaUri.parse(uri)
        obj = self.storage.head(asset_key(scope.tenant_id, self.env, parsed.asset_id, parsed.filename))
        if obj is None:
            raise AssetNotFound("no such asset for this tenant", value=str(uri))
        return _asset(obj, parsed)

    def stat(self, scope: Scope, uri: str | MediaUri) -> MediaRef:
        return self.describe(scope, uri).ref

    def resolve(self, scope: Scope, uri: str | MediaUri) -> tuple[MediaRef, str]:
        """An existing asset's MediaRef and storage key, from one lookup (raises AssetNotFound)."""
        asset = self.describe(scope, uri)
        return asset.ref, asset.key

    def page(
        self, scope: Scope, *, after: MediaUri | None, limit: int | None
    ) -> tuple[list[MediaRef], MediaUri | None]:
        """Up to ``limit`` assets after ``after`` (by asset id, then filename), and the last
        one's uri when more follow (None on the last page). Storage is read lazily: a page of
        ``limit`` costs ``limit + 1`` lookups whatever the tenant holds."""
        prefix = tenant_prefix(scope.tenant_id, self.env)
        start = (
            None if after is None else asset_key(scope.tenant_id, self.env, after.asset_id, after.filename)
        )
        refs: list[MediaRef] = []
        for obj in self.storage.list(prefix, start_after=start):
            if limit is not None and len(refs) == limit:
                last = MediaUri.parse(refs[-1].uri)
                return refs, last
            asset_id, filename = obj.key[len(prefix) :].split("/", 1)
            refs.append(_asset(obj, MediaUri(asset_id, filename)).ref)
        return refs, None

    def list(self, scope: Scope) -> list[MediaRef]:
        """Every asset of the tenant, by asset id."""
        refs, _ = self.page(scope, after=None, limit=None)
        return refs

    def presign_download(self, scope: Scope, uri: str | MediaUri, *, ttl_s: int) -> PresignedUrl:
        return self.storage.presign_get(self.describe(scope, uri).key, ttl_s)

    def open(self, asset: StoredAsset, dest: Path) -> Path:
        """``asset`` at ``dest`` for a reader that never writes to it (an ffmpeg input).

        On local storage ``dest`` is a hard link to the stored file (no copy; it stays readable
        if the asset is deleted meanwhile); elsewhere it is a streamed download. Raises
        AssetNotFound when the object went away since it was described.
        """
        try:
            if not (isinstance(self.storage, _SameDiskStorage) and self.storage.link_out(asset.key, dest)):
                self.storage.download(asset.key, dest)
        except NotFound:
            raise AssetNotFound("no such asset for this tenant", value=asset.ref.uri) from None
        add_bytes_in(asset.ref.size_bytes)
        return dest

    def materialize(self, scope: Scope, uri: str | MediaUri, dest: Path) -> Path:
        """A copy of an asset at ``dest``, a local file of the caller's own."""
        asset = self.describe(scope, uri)
        self.storage.download(asset.key, dest)
        add_bytes_in(asset.ref.size_bytes)
        return dest

    def delete(self, scope: Scope, uri: str | MediaUri) -> MediaRef:
        asset = self.describe(scope, uri)
        self.storage.delete(asset.key)
        return asset.ref
