"""What a canvas transaction decides under the canvas's lock: plain functions of what it read.

- :func:`commit_decider`: rebase (or refuse) a patch, apply it, validate the result against the
  canvas type's schema and build the ``canvas_commit``.
- :func:`declare_decider`: ``CANVAS_READY`` creates the canvas with its type's initial state
  (or re-announces it); a canvas keeps its type.
- :func:`snapshot_decider`: write the state as a snapshot, or move the newest snapshot's resume
  point when the state has not changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.canvas.patches import (
    Patch,
    PatchFailure,
    apply_ops,
    canonical,
    conflicts,
    parse_pointer,
    to_pointer,
    touched,
)
from gateway.canvas.types import GENERIC, CanvasType, CanvasTypes
from gateway.errors import (
    BaseRevisionAhead,
    BaseRevisionExpired,
    CanvasTypeConflict,
    PatchConflict,
    PatchFailed,
    PatchTestFailed,
    StateTooLarge,
)
from gateway.spine.canvas_rows import (
    CanvasRow,
    CanvasWrite,
    Decide,
    RevisionRecord,
    RevisionRow,
    SnapshotRecord,
)

__all__ = [
    "CanvasLimits",
    "PreparedDocument",
    "commit_decider",
    "declare_decider",
    "snapshot_decider",
    "state_sha256",
]


@dataclass(frozen=True)
class CanvasLimits:
    rebase_window: int = 1000  # revisions a stale patch may be behind
    max_state_bytes: int = 1024 * 1024
    snapshot_every: int = 100  # revisions between snapshots
    snapshot_inline_bytes: int = 32 * 1024  # larger states go to a media_v2 document
    keep_snapshots: int = 2


@dataclass(frozen=True)
class PreparedDocument:
    """A snapshot's document already stored for ``revision`` (made by commit ``commit_seq``)."""

    revision: int
    commit_seq: int
    document: dict[str, Any]
    size_bytes: int


def state_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _current(row: CanvasRow | None, types: CanvasTypes) -> tuple[CanvasType, Any, int]:
    """The canvas's type, a private copy of its state (freshly parsed) and its revision."""
    if row is None:
        generic = types.get(GENERIC)
        return generic, json.loads(canonical(generic.initial)), 0
    return types.get(row.canvas_type), json.loads(row.state_text), row.revision


def _rebase(patch: Patch, state: Any, revision: int, intervening: Sequence[RevisionRow]) -> None:
    """Refuse a stale patch that touches what a commit since its base wrote (409)."""
    base = patch.base_revision
    if [r.revision for r in intervening] != list(range(base + 1, revision + 1)):
        raise BaseRevisionExpired(
            f"base revision {base} is older than the rebase window (the canvas is at {revision})",
            value=base,
            details={"revision": revision, "base_revision": base},
        )
    mine = touched(state, patch.ops)
    clashing: list[str] = []
    revisions: list[int] = []
    for record in intervening:
        found = conflicts(mine, (parse_pointer(p) for p in record.paths))
        if found:
            revisions.append(record.revision)
            clashing.extend(p for p in map(to_pointer, found) if p not in clashing)
    if clashing:
        raise PatchConflict(
            f"revisions since {base} wrote what the patch touches: {', '.join(clashing)}",
            value=", ".join(clashing),
            details={"paths": clashing, "revision": revision, "base_revision": base, "revisions": revisions},
        )


def commit_decider(
    patch: Patch,
    types: CanvasTypes,
    limits: CanvasLimits,
    *,
    author: dict[str, Any],
    sidecars: list[dict[str, Any]],
    patch_key: str | None,
    body_sha256: str | None,
) -> Decide:
    def decide(row: CanvasRow | None, intervening: Sequence[RevisionRow]) -> CanvasWrite:
        canvas_type, state, revision = _current(row, types)
        base = patch.base_revision
        if base > revision:
            raise BaseRevisionAhead(
                f"base revision {base} is ahead of the canvas (at {revision})",
                value=base,
                details={"revision": revision},
            )
        if base < revision:
            _rebase(patch, state, revision, intervening)
        try:
            applied = apply_ops(state, patch.ops, in_place=True)
        except PatchFailure as failure:
            error = PatchTestFailed if failure.test else PatchFailed
            raise error(
                f"operation {failure.index} ({failure.op.get('op')} {failure.op.get('path')}) "
                f"cannot apply: {failure.reason}",
                value=failure.op.get("path"),
                details={"index": failure.index, "revision": revision},
            ) from None
        canvas_type.check(applied.state)
        text = canonical(applied.state)
        size = len(text.encode())
        if size > limits.max_state_bytes:
            raise StateTooLarge(
                f"the state would be {size} bytes, over the limit", value=limits.max_state_bytes
            )
        data: dict[str, Any] = {
            "revision": revision + 1,
            "base_revision": base,
            "patch": patch.kind,
            "ops": list(patch.ops),
            "state_sha256": state_sha256(text),
        }
        if patch.idempotency_key is not None:
            data["idempotency_key"] = patch.idempotency_key
        return CanvasWrite(
            canvas_type=canvas_type.name,
            revision=revision + 1,
            state_text=text,
            event_type="canvas_commit",
            payload={"data": data, "sidecars": sidecars, "actor": author},
            record=RevisionRecord(tuple(to_pointer(w) for w in applied.writes), patch_key, body_sha256),
            rebase_window=limits.rebase_window,
        )

    return decide


def declare_decider(canvas_type: CanvasType, data: dict[str, Any], author: dict[str, Any]) -> Decide:
    def decide(row: CanvasRow | None, _: Sequence[RevisionRow]) -> CanvasWrite:
        if row is not None and row.canvas_type != canvas_type.name:
            raise CanvasTypeConflict(
                f"the canvas is a {row.canvas_type} canvas, not a {canvas_type.name} one",
                value=canvas_type.name,
                details={"canvas_type": row.canvas_type},
            )
        revision = 0 if row is None else row.revision
        return CanvasWrite(
            canvas_type=canvas_type.name,
            revision=revision,
            state_text=canonical(canvas_type.initial) if row is None else None,
            event_type="CANVAS_READY",
            payload={
                "data": {**data, "canvas_type": canvas_type.name, "revision": revision},
                "sidecars": [],
                "actor": author,
            },
        )

    return decide


def snapshot_decider(
    limits: CanvasLimits, author: dict[str, Any], href: str, prepared: PreparedDocument | None = None
) -> Decide:
    """A snapshot of the state under the lock: inline unless ``prepared`` (a stored document)."""

    def decide(row: CanvasRow | None, _: Sequence[RevisionRow]) -> CanvasWrite | None:
        if row is None:
            return None
        if row.snapshot_revision == row.revision:
            # Nothing changed since the newest snapshot: only let it cover what came after.
            snap = SnapshotRecord(row.revision, advance=True)
            return CanvasWrite(
                row.canvas_type, row.revision, snapshot=snap, keep_snapshots=limits.keep_snapshots
            )
        data: dict[str, Any] = {"canvas_type": row.canvas_type}
        if prepared is None:
            revision, size = row.revision, len(row.state_text.encode())
            snap = SnapshotRecord(revision, state_text=row.state_text, size_bytes=size)
            data["state"] = json.loads(row.state_text)
        else:
            if row.snapshot_revision is not None and prepared.revision <= row.snapshot_revision:
                return None  # a newer snapshot was written meanwhile
            revision, size = prepared.revision, prepared.size_bytes
            # The canvas moved on while the document was stored: resume after the commit that
            # made its revision, so the commits since are replayed on top of it.
            resume = None if row.revision == revision else prepared.commit_seq
            snap = SnapshotRecord(revision, document=prepared.document, size_bytes=size, resume_seq=resume)
            data["href"] = f"{href}/{revision}"
        data.update(revision=revision, size_bytes=size)
        return CanvasWrite(
            canvas_type=row.canvas_type,
            revision=row.revision,
            event_type="snapshot_created",
            payload={"data": data, "sidecars": [], "actor": author},
            snapshot=snap,
            keep_snapshots=limits.keep_snapshots,
        )

    return decide
