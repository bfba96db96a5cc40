"""Media: what a file holds, where it is stored, and how a tool reads and writes it.

A muscle names media by :class:`MediaRef` uris (never bytes). Its tools read and write media
through the :class:`Workspace` the runtime injects; :class:`MediaStore` is the tenant-scoped
asset store underneath, :class:`MediaInfo` the one description of a file's streams.
"""

from core.identifiers import validate_filename
from core.media.info import MediaInfo
from core.media.probe import probe, probe_sync
from core.media.ref import MEDIA_URI_SCHEME, MediaRef, MediaUri, media_uri, parse_media_uri
from core.media.store import MediaStore, SourcePolicy, StoredAsset
from core.media.workspace import WORK_DIR, BlockingWorkspace, Need, OpenedMedia, Workspace

__all__ = [
    "MEDIA_URI_SCHEME",
    "WORK_DIR",
    "BlockingWorkspace",
    "MediaInfo",
    "MediaRef",
    "MediaStore",
    "MediaUri",
    "Need",
    "OpenedMedia",
    "SourcePolicy",
    "StoredAsset",
    "Workspace",
    "media_uri",
    "parse_media_uri",
    "probe",
    "probe_sync",
    "validate_filename",
]
