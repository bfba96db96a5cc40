"""``atoms://media/<asset_id>/<filename>`` as MCP resources, within the caller's tenant.

Reading one returns its MediaRef as JSON (``application/json``) and, for a small text document
(subtitles, transcripts, JSON under ``ATOMS_RESOURCE_TEXT_MAX_BYTES``), its text as a second
content in its own mime type. Media bytes never travel this way (no base64 blobs): a client
fetches media through a presigned URL (media_v2 ``presign_download``). An asset of another
tenant reads exactly like a missing one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp_types import ResourceTemplate

from core.errors import AtomsError
from core.media import MEDIA_URI_SCHEME, MediaStore, MediaUri, StoredAsset
from core.scope import Scope

__all__ = ["MEDIA_TEMPLATE", "is_media_resource", "read_media_resource"]

_TEXT_TYPES: Final = ("application/json", "application/x-subrip", "application/xml")

MEDIA_TEMPLATE = ResourceTemplate(
    uri_template=f"{MEDIA_URI_SCHEME}://media/{{asset_id}}/{{filename}}",
    name="media_v2 asset",
    description="A stored asset of your tenant: its MediaRef (JSON), and the text of small text "
    "documents such as SRT or VTT subtitles. Media bytes are fetched through presign_download.",
    mime_type="application/json",
)


def is_media_resource(uri: str) -> bool:
    return uri.startswith(f"{MEDIA_URI_SCHEME}://media/")


def read_media_resource(
    store: MediaStore, scope: Scope, uri: str, *, text_max_bytes: int
) -> list[ReadResourceContents]:
    """The contents of ``uri`` for ``scope`` (blocking: storage lookups)."""
    try:
        asset = store.describe(scope, MediaUri.parse(uri))
    except AtomsError:
        # Unknown, malformed and another tenant's read alike.
        raise ResourceNotFoundError(f"Unknown resource: {uri}") from None
    contents = [
        ReadResourceContents(content=asset.ref.model_dump_json(), mime_type="application/json"),
    ]
    text = _small_text(store, asset, text_max_bytes)
    if text is not None:
        contents.append(ReadResourceContents(content=text, mime_type=asset.ref.mime_type))
    return contents


def _small_text(store: MediaStore, asset: StoredAsset, max_bytes: int) -> str | None:
    mime = asset.ref.mime_type
    if asset.info is not None or asset.ref.size_bytes > max_bytes:
        return None  # media (it has a probe), or too big to inline
    if not (mime.startswith("text/") or mime in _TEXT_TYPES):
        return None
    with tempfile.TemporaryDirectory(dir=store.work_dir if store.work_dir.is_dir() else None) as folder:
        path = store.open(asset, Path(folder) / "document")
        try:
            return path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            return None
