"""The canvas state service: commits, declarations, reads and snapshots of each canvas's state.

Every change is one spine transaction (:meth:`gateway.spine.Spine.canvas_transact`) with one of
:mod:`gateway.canvas.commit`'s deciders. Snapshots are taken every ``snapshot_every`` revisions,
on demand, and when retention is about to cut past the newest one (:meth:`retention_floor`);
a snapshot failing (storage down) never fails the commit that triggered it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from core.errors import AtomsError
from gateway.canvas.commit import (
    CanvasLimits,
    PreparedDocument,
    commit_decider,
    declare_decider,
    snapshot_decider,
)
from gateway.canvas.documents import SnapshotDocuments
from gateway.canvas.patches import Patch
from gateway.canvas.types import CanvasTypes
from gateway.errors import CanvasNotFound, IdempotencyConflict, SnapshotNotFound
from gateway.identity import Actor
from gateway.spine import Spine
from gateway.spine.canvas_rows import CanvasRead, SnapshotRow, TransactOutcome
from gateway.streams import StreamAddress

__all__ = ["GATEWAY_AUTHOR", "CanvasService", "CommitReply", "snapshots_href"]

logger = logging.getLogger(__name__)

GATEWAY_AUTHOR = {"kind": "gateway", "subject": "gateway", "role": "gateway"}


def snapshots_href(address: StreamAddress) -> str:
    """The route a snapshot is read from (the canvas path + ``/snapshots``)."""
    s = address.scope
    return f"/v1/{s.tenant_id}/{s.mode}/{s.project_id}/{s.surface_id}/{s.app_id}/canvases/{address.stream_id}/snapshots"


@dataclass(frozen=True)
class CommitReply:
    seq: int
    revision: int
    replayed: bool

    def body(self) -> dict[str, Any]:
        return {"id": self.seq, "type": "canvas_commit", "revision": self.revision, "replayed": self.replayed}


def _patch_key(address: StreamAddress, actor: Actor, key: str) -> str:
    """A patch key as stored: one caller's, on one canvas (so keys never collide or leak)."""
    return hashlib.sha256("\n".join((address.key, actor.subject, key)).encode()).hexdigest()


def _body_sha256(patch: Patch, sidecars: list[dict[str, Any]]) -> str:
    body = [patch.kind, patch.base_revision, list(patch.ops), sidecars]
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class CanvasService:
    def __init__(
        self, spine: Spine, types: CanvasTypes, limits: CanvasLimits, documents: SnapshotDocuments
    ) -> None:
        self.spine = spine
        self.types = types
        self.limits = limits
        self.documents = documents

    async def commit(
        self, actor: Actor, address: StreamAddress, patch: Patch, sidecars: list[dict[str, Any]]
    ) -> CommitReply:
        """Apply ``patch`` atomically (rebased when its base is stale and nothing clashes)."""
        key = None if patch.idempotency_key is None else _patch_key(address, actor, patch.idempotency_key)
        digest = _body_sha256(patch, sidecars)
        decide = commit_decider(
            patch,
            self.types,
            self.limits,
            author=actor.public(),
            sidecars=sidecars,
            patch_key=key,
            body_sha256=digest,
        )
        outcome = await self.spine.canvas_transact(
            address.key, address.tenant_id, decide, since_revision=patch.base_revision, patch_key=key
        )
        if outcome.replay is not None:
            if outcome.replay.body_sha256 != digest:
                raise IdempotencyConflict(
                    "this patch idempotency key was already used with another patch",
                    value=patch.idempotency_key,
                )
            return CommitReply(outcome.replay.seq, outcome.replay.revision, replayed=True)
        assert outcome.write is not None
        revision = outcome.write.revision
        if revision % self.limits.snapshot_every == 0:
            await self._snapshot_quietly(address)
        return CommitReply(outcome.seq, revision, replayed=False)

    async def declare(self, actor: Actor, address: StreamAddress, data: dict[str, Any]) -> TransactOutcome:
        """``CANVAS_READY``: create the canvas with its type (or re-announce it)."""
        canvas_type = self.types.get(str(data.get("canvas_type")))
        return await self.spine.canvas_transact(
            address.key, address.tenant_id, declare_decider(canvas_type, data, actor.public())
        )

    async def read(self, address: StreamAddress) -> CanvasRead:
        found = await self.spine.canvas_read(address.key)
        if found is None:
            raise CanvasNotFound("the canvas has no state yet", value=address.stream_id)
        return found

    async def snapshot(self, address: StreamAddress, author: dict[str, Any] = GATEWAY_AUTHOR) -> SnapshotRow:
        """Write the current state as a snapshot now (or let the newest one cover up to now)."""
        row = (await self.read(address)).row
        prepared = None
        size = len(row.state_text.encode())
        if size > self.limits.snapshot_inline_bytes and row.snapshot_revision != row.revision:
            document = await self.documents.save(address, row.revision, row.state_text)
            prepared = PreparedDocument(row.revision, row.commit_seq, document, size)
        decide = snapshot_decider(self.limits, author, snapshots_href(address), prepared)
        outcome = await self.spine.canvas_transact(address.key, address.tenant_id, decide)
        if outcome.dropped_documents:
            await self._delete_documents(address, outcome.dropped_documents)
        if prepared is not None and await self.spine.canvas_snapshot(address.key, prepared.revision) is None:
            await self._delete_documents(address, (prepared.document,))  # another snapshot won the race
        latest = await self.spine.canvas_snapshot(address.key)
        if latest is None:  # pragma: no cover - a snapshot was just written
            raise SnapshotNotFound("no snapshot of this canvas", value=address.stream_id)
        return latest

    async def snapshot_at(self, address: StreamAddress, revision: int | None = None) -> SnapshotRow:
        found = await self.spine.canvas_snapshot(address.key, revision)
        if found is None:
            raise SnapshotNotFound("no such snapshot of this canvas", value=revision)
        return found

    async def snapshot_state(self, address: StreamAddress, snap: SnapshotRow) -> Any:
        """The state a snapshot holds (read back from its document when it is not inline)."""
        if snap.state_text is not None:
            return json.loads(snap.state_text)
        assert snap.document is not None
        return json.loads(await self.documents.load(address, snap.document))

    async def retention_floor(self, stream: str, cut: int) -> int | None:
        """The highest seq retention may delete on ``stream``: a canvas keeps everything after
        its newest snapshot's resume point; a snapshot is taken now when that point is below the
        cut retention wants (so retention can proceed). None: not a canvas with state."""
        address = StreamAddress.from_key(stream)
        if address is None or address.kind != "canvas":
            return None
        latest = await self.spine.canvas_snapshot(stream)
        if latest is not None and latest.resume_seq >= cut:
            return latest.resume_seq
        if await self.spine.canvas_read(stream) is None:
            return None
        try:
            return (await self.snapshot(address)).resume_seq
        except AtomsError as exc:
            # Keep the events rather than strand a resyncing client; retried on the next trim.
            logger.warning("snapshot for retention failed on a canvas (%s): keeping its events", exc.code)
            return 0 if latest is None else latest.resume_seq

    async def _snapshot_quietly(self, address: StreamAddress) -> None:
        try:
            await self.snapshot(address)
        except AtomsError as exc:
            logger.warning("periodic canvas snapshot failed (%s); the next one retries", exc.code)

    async def _delete_documents(self, address: StreamAddress, documents: tuple[dict[str, Any], ...]) -> None:
        try:
            await self.documents.delete(address, documents)
        except AtomsError as exc:
            logger.warning("could not delete %d swept snapshot documents (%s)", len(documents), exc.code)
