"""Bringing bytes in: a source (an import-root path, an http(s) URL, a presigned upload)
becomes a private staged file, hashed and size-checked as it streams, plus the file name
to store it under. What is staged is then checked and stored by :class:`~core.media.store.MediaStore`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import anyio

from core.errors import InvalidIdentifier, InvalidInput, UploadNotFound
from core.identifiers import validate_filename, validate_identifier
from core.media._fetch_limits import FetchLimits
from core.media._import_roots import LocalFile, check_local_path, open_local_file
from core.media.staging import StagedFile, adopt, file_chunks, handle_chunks, stage_chunks
from core.scope import Scope
from core.storage import Storage, upload_prefix

__all__ = ["UPLOAD_SCHEME", "Intake", "SourcePolicy"]

UPLOAD_SCHEME = "upload://"
_URL_PREFIXES = ("http://", "https://")


@dataclass(frozen=True)
class SourcePolicy:
    """Where :meth:`Intake.stage_source` may read from."""

    import_roots: tuple[Path, ...] = ()
    allow_private_urls: bool = False
    fetch_timeout_s: float = 60.0
    fetch_deadline_s: float = 600.0
    fetch_concurrency_per_tenant: int = 4


class Intake:
    def __init__(
        self, storage: Storage, *, env: str, work_dir: Path, max_bytes: int, sources: SourcePolicy
    ) -> None:
        self.storage = storage
        self.env = env
        self.work_dir = work_dir
        self.max_bytes = max_bytes
        self.sources = sources
        self.fetch_limits = FetchLimits(sources.fetch_concurrency_per_tenant)

    def fetch_slot(
        self, scope: Scope, source: str
    ) -> AbstractAsyncContextManager[anyio.CapacityLimiter | None]:
        """Hold one of the tenant's URL-fetch slots while ``source`` is registered (raises
        FetchLimitReached when none is free); yields the thread limiter to register it on,
        None (the default limiter) when ``source`` is not a URL."""
        if not source.startswith(_URL_PREFIXES):
            return nullcontext()
        return self.fetch_limits.slot(scope.tenant_id)

    def stage_source(self, scope: Scope, source: str, filename: str | None) -> tuple[StagedFile, str]:
        """Bring ``source`` into a staged file; return it and the filename to store it under."""
        if filename is not None:
            filename = validate_filename(filename)
        if source.startswith(UPLOAD_SCHEME):
            staged, uploaded_name = self.stage_upload(scope, source.removeprefix(UPLOAD_SCHEME))
            return staged, filename or uploaded_name
        if source.startswith(_URL_PREFIXES):
            name = _filename_for(filename or unquote(urlsplit(source).path.rsplit("/", 1)[-1]), source)
            # The HTTP stack loads with the first URL: a server that never fetches never pays it.
            from core.media.sources import FetchPolicy, fetch_url

            policy = self.sources
            fetch = FetchPolicy(
                allow_private=policy.allow_private_urls,
                timeout_s=policy.fetch_timeout_s,
                deadline_s=policy.fetch_deadline_s,
            )
            return self.stage(fetch_url(source, fetch), what=source), name
        if "://" in source:
            raise InvalidInput(
                "unsupported source",
                value=source,
                hint="Use a path under the import roots, an http(s) URL or upload://<upload_id>.",
            )
        local = check_local_path(source, self.sources.import_roots)
        return self.stage_import(local), _filename_for(filename or local.name, source)

    def stage(self, chunks: Iterable[bytes], *, what: str) -> StagedFile:
        return stage_chunks(chunks, self.work_dir, max_bytes=self.max_bytes, what=what)

    def stage_import(self, local: LocalFile) -> StagedFile:
        """Stage a checked file under the import roots from its descriptor, opened without
        following symlinks (raises PathNotAllowed when it changed since the check)."""
        with open_local_file(local) as handle:
            return self.stage(handle_chunks(handle), what=local.name)

    def stage_local(self, path: Path) -> StagedFile:
        """Stage a file the server itself made (a tool's output, a test's sample)."""
        return self.stage(file_chunks(path), what=path.name)

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


def _filename_for(name: str, source: str) -> str:
    try:
        return validate_filename(Path(name).name if name else "")
    except InvalidIdentifier:
        raise InvalidIdentifier(
            "cannot take a valid file name from the source",
            value=source,
            hint="Pass filename= with a name such as clip.mp4.",
        ) from None
