"""The Workspace: media in and out for one tool call or one job, so a tool body is media work.

A tool asks for one by annotation (``workspace: Workspace``) and the runtime injects it, bound
to the caller's tenant. ``open(uri)`` gives a readable local path and the asset's recorded
facts (one storage lookup; a hard link on local storage, a streamed download from S3; the
registration probe reused); the tool works in the workspace's private folder; ``publish``
stores a finished file in the caller's tenant (cancellation checked first, hashed once,
probed, renamed into storage) and ``publish_document`` does the same for subtitles, JSON and
other non-media outputs. The folder is removed when the call ends, whatever the outcome.

:class:`Workspace` is the async face tools use; :class:`BlockingWorkspace` is the same for
job functions and worker threads.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import anyio
import anyio.from_thread

from core.errors import AtomsError, NoAudioStream, NotAnImage, NotMedia, NoVideoStream
from core.ffmpeg import pinned_input
from core.identifiers import validate_filename
from core.media.info import MediaInfo
from core.media.mime import detect_mime, is_media_mime
from core.media.probe import probe_sync
from core.media.ref import MediaRef, MediaUri
from core.media.staging import adopt
from core.media.store import MediaStore, StoredAsset
from core.media.work_folders import work_folder
from core.scope import Scope

__all__ = ["WORK_DIR", "BlockingWorkspace", "Need", "OpenedMedia", "Workspace"]

# Where workspaces keep their private folders, under the data dir.
WORK_DIR = "work"
Need = Literal["audio", "video", "image", "any"]
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,12}$")


@dataclass(frozen=True)
class OpenedMedia:
    """An input made readable: its MediaRef, its facts, a local path, and the argument it came from."""

    ref: MediaRef
    info: MediaInfo
    path: Path
    field: str

    @property
    def input_args(self) -> list[str]:
        """``-f <demuxer> -i file:<path>``: ffmpeg reads this file as registration probed it."""
        return pinned_input(self.path, self.info.format_name, value=self.field)

    @property
    def stem(self) -> str:
        """The input's file name without its extension, for naming outputs after it."""
        return Path(self.ref.filename).stem or "media"


class BlockingWorkspace:
    """Media in and out for one call or job, with blocking methods (see the module docstring).

    ``check_cancelled`` raises when the work was cancelled; it is called before anything is
    stored. The private folder is made on first use and removed by :meth:`close`.
    """

    def __init__(
        self,
        store: MediaStore,
        scope: Scope,
        root: Path,
        *,
        check_cancelled: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.scope = scope
        self._root = root
        self._check_cancelled = check_cancelled
        self._stack = contextlib.ExitStack()
        self._folder: Path | None = None
        self._inputs = 0

    @property
    def folder(self) -> Path:
        """The private folder, made on first use."""
        if self._folder is None:
            self._folder = self._stack.enter_context(work_folder(self._root, "work-"))
        return self._folder

    def path(self, name: str) -> Path:
        """A path for a file of this name in the private folder."""
        return self.folder / validate_filename(name, "work file name")

    def close(self) -> None:
        """Remove the private folder and everything in it."""
        self._stack.close()
        self._folder = None

    def __enter__(self) -> BlockingWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- in ------------------------------------------------------------------------------

    def describe(self, uri: str | MediaUri, *, field: str = "uri", **context: Any) -> StoredAsset:
        """The stored asset's ref and recorded facts, without reading its bytes."""
        with _naming(field, uri, context):
            return self.store.describe(self.scope, uri)

    def open(
        self, uri: str | MediaUri, need: Need = "any", *, field: str = "uri", **context: Any
    ) -> OpenedMedia:
        """Make ``uri`` readable in the private folder and check it holds what ``need`` says.

        Errors (asset_not_found, not_media, media_unreadable, no_audio_stream, no_video_stream,
        not_an_image) name ``field``, the argument the uri came from; ``context`` (for example
        ``clip_id``) goes into their details, and a ``subject`` into their message.
        """
        with _naming(field, uri, context):
            asset = self.store.describe(self.scope, uri)
            self._inputs += 1
            suffix = _SUFFIX.search(asset.ref.filename)
            path = self.store.open(asset, self.folder / f"input-{self._inputs}{suffix[0] if suffix else ''}")
            info = asset.info
            if info is None:
                # Stored without a probe (by another release, or behind media_v2's back): a
                # probe costs a process, and it is what catches a truncated or broken file.
                if not is_media_mime(detect_mime(path)):
                    raise NotMedia("the asset is not audio, video or an image", value=str(uri))
                info = probe_sync(path)
            _check_need(info, need, str(uri))
            return OpenedMedia(ref=asset.ref, info=info, path=path, field=field)

    def open_document(self, uri: str | MediaUri, *, field: str = "uri", **context: Any) -> Path:
        """Make a stored non-media asset (a LUT, subtitles) readable in the private folder, as is."""
        with _naming(field, uri, context):
            asset = self.store.describe(self.scope, uri)
            self._inputs += 1
            suffix = _SUFFIX.search(asset.ref.filename)
            return self.store.open(asset, self.folder / f"input-{self._inputs}{suffix[0] if suffix else ''}")

    # --- out -----------------------------------------------------------------------------

    def publish(self, path: Path, filename: str | None = None) -> MediaRef:
        """Store the finished media file ``path`` (in the private folder) in the caller's tenant."""
        return self.publish_media(path, filename).ref

    def publish_media(self, path: Path, filename: str | None = None) -> StoredAsset:
        """:meth:`publish`, with the facts probed on the stored bytes (report those, not what
        ffmpeg was asked to make)."""
        self._check_cancelled()  # a call cancelled by now stores nothing
        name = validate_filename(filename or path.name)
        staged = adopt(self._own(path), max_bytes=self.store.max_bytes, what=name)
        return self.store.store_media(self.scope, staged, name)

    def publish_document(self, content: str | bytes | Path, filename: str, mime_type: str) -> MediaRef:
        """Store a non-media output (text is written as UTF-8) in the caller's tenant."""
        self._check_cancelled()
        name = validate_filename(filename)
        if isinstance(content, Path):
            path = self._own(content)
        else:
            path = self.path(f"document-{name}")
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        staged = adopt(path, max_bytes=self.store.max_bytes, what=name)
        return self.store.store_document(self.scope, staged, name, mime_type)

    def _own(self, path: Path) -> Path:
        """``path`` if it lies in the private folder: a tool publishes only what it made."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.folder.resolve()) or not resolved.is_file():
            raise AtomsError(
                "a tool published a file outside its workspace folder",
                hint="Write outputs to workspace.path(name) and publish that path.",
            )
        return resolved


class Workspace:
    """The async face of a :class:`BlockingWorkspace`, injected into tools by the runtime.

    Every method runs its storage and probe work on a worker thread, so the event loop stays
    free; a cancelled call stores nothing.
    """

    def __init__(self, blocking: BlockingWorkspace) -> None:
        self.blocking = blocking

    @property
    def folder(self) -> Path:
        return self.blocking.folder

    def path(self, name: str) -> Path:
        return self.blocking.path(name)

    async def describe(self, uri: str | MediaUri, *, field: str = "uri", **context: Any) -> StoredAsset:
        return await anyio.to_thread.run_sync(lambda: self.blocking.describe(uri, field=field, **context))

    async def open(
        self, uri: str | MediaUri, need: Need = "any", *, field: str = "uri", **context: Any
    ) -> OpenedMedia:
        return await anyio.to_thread.run_sync(lambda: self.blocking.open(uri, need, field=field, **context))

    async def publish(self, path: Path, filename: str | None = None) -> MediaRef:
        return await anyio.to_thread.run_sync(lambda: self.blocking.publish(path, filename))

    async def publish_media(self, path: Path, filename: str | None = None) -> StoredAsset:
        return await anyio.to_thread.run_sync(lambda: self.blocking.publish_media(path, filename))

    async def publish_document(self, content: str | bytes | Path, filename: str, mime_type: str) -> MediaRef:
        return await anyio.to_thread.run_sync(
            lambda: self.blocking.publish_document(content, filename, mime_type)
        )


def _check_need(info: MediaInfo, need: Need, uri: str) -> None:
    if need == "audio" and not info.has_audio:
        raise NoAudioStream("the asset has no audio stream", value=uri)
    if need == "video" and not info.is_video:
        raise NoVideoStream("the asset has no video stream that plays", value=uri)
    if need == "image" and not info.is_still:
        raise NotAnImage("the asset is not a still image", value=uri)


@contextlib.contextmanager
def _naming(field: str, uri: object, context: Mapping[str, Any]) -> Iterator[None]:
    """Re-raise a media error naming the argument (and the clip, say) the uri came from."""
    try:
        yield
    except AtomsError as error:
        subject = context.get("subject")
        details = {key: value for key, value in context.items() if key != "subject"}
        error.details = {**error.details, **details, "field": field, "uri": str(uri)}
        error.value = field
        if subject:
            error.message = f"{subject}: {error.message}"
            error.args = (error.message,)
        raise
