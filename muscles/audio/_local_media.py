"""A stored asset as a local file ffmpeg can read, inside a private work folder.

Both audio muscles take a media_v2 uri, need the bytes on disk, and must leave nothing behind:
the work folder (input link or copy, intermediate audio, outputs before registration) is removed when
the call ends, whether it succeeds, fails or is cancelled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio

from core.errors import MediaError, NotMedia
from core.ffmpeg.runner import pinned_input
from core.media.mime import detect_mime, is_media_mime
from core.media.probe import probe_sync
from core.media.ref import MediaRef, media_uri
from core.media.staging import StagedFile, stage_chunks
from core.media.store import MediaStore
from core.media.work_folders import work_folder
from core.scope import Scope
from core.storage import asset_key

__all__ = ["LocalMedia", "NoAudioStream", "local_media", "store_text"]


class NoAudioStream(MediaError):
    code = "no_audio_stream"
    default_hint = "Pass a video or audio file that has a sound track; this one holds pictures only."


@dataclass(frozen=True)
class LocalMedia:
    """An input asset made readable in ``work_dir``, with its audio's duration and sample rate."""

    ref: MediaRef
    path: Path
    duration_s: float | None
    sample_rate: int | None
    work_dir: Path
    format_name: str | None = None

    @property
    def input_args(self) -> list[str]:
        """``-f <demuxer> -i file:<path>``: ffmpeg reads this file, as registration probed it."""
        return pinned_input(self.path, self.format_name, value=self.ref.uri)

    @property
    def stem(self) -> str:
        return Path(self.ref.filename).stem or "audio"


@asynccontextmanager
async def local_media(store: MediaStore, scope: Scope, uri: str) -> AsyncIterator[LocalMedia]:
    """Make ``uri`` readable in a fresh work folder, check it holds decodable audio, and yield it.

    Raises AssetNotFound, NotMedia, MediaUnreadable (e.g. truncated) or NoAudioStream.
    """
    with work_folder(store.work_dir, "audio-") as work_dir:
        local = await anyio.to_thread.run_sync(_fetch_and_check, store, scope, uri, work_dir)
        yield local


def _fetch_and_check(store: MediaStore, scope: Scope, uri: str, work_dir: Path) -> LocalMedia:
    ref = store.stat(scope, uri)
    # A hard link on local storage, a download elsewhere, with the probe made at registration.
    path, recorded = store.open_for_reading(scope, uri, work_dir / f"input-{ref.filename}")
    mime = detect_mime(path)
    if not is_media_mime(mime):
        raise NotMedia("the asset is not audio or video", value=uri)
    # Probe only what was stored without a probe: a probe costs a process, and it is what
    # catches a truncated or broken file that reached storage by another path.
    info = recorded or probe_sync(path)
    if not info.has_audio:
        raise NoAudioStream("the asset has no audio stream", value=uri)
    return LocalMedia(
        ref=ref,
        path=path,
        duration_s=info.duration_s,
        sample_rate=info.sample_rate,
        work_dir=work_dir,
        format_name=info.format_name,
    )


def store_text(store: MediaStore, scope: Scope, text: str, filename: str, mime_type: str) -> MediaRef:
    """Store a text sidecar (subtitles) beside the media assets and return its MediaRef.

    ``MediaStore.register_staged`` accepts audio, video and images only, so text goes to the
    same storage under the same key scheme (content-addressed, tenant-scoped) directly; the
    storage backends write temp-then-rename, so readers never see a partial file.
    """
    data = text.encode("utf-8")
    staged: StagedFile = stage_chunks([data], store.work_dir, max_bytes=store.max_bytes, what=filename)
    try:
        asset_id = staged.sha256[:32]
        key = asset_key(scope.tenant_id, store.env, asset_id, filename)
        stored = store.storage.put_file(key, staged.path, content_type=mime_type, sha256=staged.sha256)
    finally:
        staged.path.unlink(missing_ok=True)
    return MediaRef(
        uri=media_uri(asset_id, filename),
        asset_id=asset_id,
        filename=filename,
        mime_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=staged.sha256,
    )
