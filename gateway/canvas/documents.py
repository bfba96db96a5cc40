"""Large snapshots as media_v2 documents: written, read back and deleted through core's MediaStore.

A snapshot whose state is over ``ATOMS_GATEWAY_SNAPSHOT_INLINE_BYTES`` is stored as a JSON
document in the canvas tenant's media storage (local disk or S3, as core is configured) rather
than in the spine. Its file name carries a hash of the stream and the revision, so two canvases
never share (or delete) each other's document. Clients never get the document itself: they
read a snapshot through the gateway, which applies their lens.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from core.media import MediaStore
from core.scope import Scope
from gateway.streams import StreamAddress

__all__ = ["SnapshotDocuments"]

_MIME = "application/json"


def _filename(address: StreamAddress, revision: int) -> str:
    digest = hashlib.sha256(address.key.encode()).hexdigest()[:20]
    return f"canvas-{digest}-r{revision}.json"


class SnapshotDocuments:
    """``store`` is opened on first use (most canvases never need a document)."""

    def __init__(self, store: Callable[[], MediaStore]) -> None:
        self._store = store

    async def save(self, address: StreamAddress, revision: int, text: str) -> dict[str, Any]:
        """Store ``text`` as the snapshot document of ``revision``; its MediaRef as JSON."""

        def save() -> dict[str, Any]:
            store = self._store()
            staged = store.intake.stage([text.encode()], what="canvas snapshot")
            ref = store.store_document(
                Scope(tenant_id=address.tenant_id), staged, _filename(address, revision), _MIME
            )
            return ref.model_dump(mode="json")

        return await anyio.to_thread.run_sync(save)

    async def load(self, address: StreamAddress, document: dict[str, Any]) -> str:
        def load() -> str:
            store = self._store()
            with tempfile.TemporaryDirectory(prefix="canvas-snapshot-") as folder:
                path = store.materialize(
                    Scope(tenant_id=address.tenant_id), str(document["uri"]), Path(folder) / "state.json"
                )
                return path.read_text(encoding="utf-8")

        return await anyio.to_thread.run_sync(load)

    async def delete(self, address: StreamAddress, documents: tuple[dict[str, Any], ...]) -> None:
        def delete() -> None:
            store = self._store()
            for document in documents:
                store.delete(Scope(tenant_id=address.tenant_id), str(document["uri"]))

        await anyio.to_thread.run_sync(delete)
