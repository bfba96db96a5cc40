"""Media: what a file holds, where it is stored, and how a tool reads and writes it.

A muscle names media by :class:`MediaRef` uris (never bytes). Its tools read and write media
through the :class:`Workspace` the runtime injects; :class:`MediaStore` is the tenant-scoped
asset store underneath, :class:`MediaInfo` the one description of a file's streams.
"""

from core.media.probe import MediaInfo, probe, probe_sync
from core.media.ref import MEDIA_URI_SCHEME, MediaRef, media_uri, parse_media_uri
from core.media.store import MediaStore, SourcePolicy

__all__ = [
    "MEDIA_URI_SCHEME",
    "MediaInfo",
    "MediaRef",
    "MediaStore",
    "SourcePolicy",
    "media_uri",
    "parse_media_uri",
    "probe",
    "probe_sync",
]
