"""What the spine stores of a canvas's state, and the one transaction that changes it.

The gateway holds each canvas's state in the spine, beside its events: the document (canonical
JSON text) and its revision, a record per recent revision (the paths its commit wrote, so a
patch on a stale base can be rebased, and the patch key that made it, so a retry is applied
once), and snapshots (so retention can drop old events).

Every change goes through :meth:`CanvasSpine.canvas_transact`: the backend locks the canvas
(across processes and replicas), reads its row and what the caller asked for, hands them to the
caller's ``decide`` (a plain function: apply the patch, validate, build the event) and writes
what it returns -- event, state, revision record, snapshot -- in the same transaction. So the
revision bump, the apply and the commit event are atomic, and two writers are serialised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "CanvasRead",
    "CanvasRow",
    "CanvasSpine",
    "CanvasWrite",
    "Decide",
    "Replay",
    "RevisionRecord",
    "RevisionRow",
    "SnapshotRecord",
    "SnapshotRow",
    "TransactOutcome",
]


@dataclass(frozen=True, slots=True)
class CanvasRow:
    """A canvas as the transaction found it, under its lock."""

    canvas_type: str
    revision: int
    state_text: str  # canonical JSON
    commit_seq: int  # the event of the commit that made this revision (0: none yet)
    snapshot_revision: int | None  # the newest snapshot's revision


@dataclass(frozen=True, slots=True)
class RevisionRow:
    revision: int
    seq: int
    paths: tuple[str, ...]  # JSON Pointers the commit wrote


@dataclass(frozen=True, slots=True)
class Replay:
    """The revision a patch key already made."""

    revision: int
    seq: int
    body_sha256: str | None


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    paths: tuple[str, ...]
    patch_key: str | None = None
    body_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """A snapshot to store at ``revision``: inline text or a media_v2 document, or ``advance``
    (the newest snapshot is still the current state: only move its resume point to now)."""

    revision: int
    state_text: str | None = None
    document: dict[str, Any] | None = None
    size_bytes: int = 0
    resume_seq: int | None = None  # None: after this write's event (or the stream head)
    advance: bool = False


@dataclass(frozen=True, slots=True)
class CanvasWrite:
    """What one transaction writes; every part is optional but the canvas's type and revision."""

    canvas_type: str
    revision: int
    state_text: str | None = None  # None: the state is unchanged
    event_type: str | None = None
    payload: dict[str, Any] | None = None  # the event's payload (required with event_type)
    record: RevisionRecord | None = None  # a commit: record ``revision``
    rebase_window: int = 1000
    snapshot: SnapshotRecord | None = None
    keep_snapshots: int = 2


@dataclass(frozen=True, slots=True)
class TransactOutcome:
    write: CanvasWrite | None  # None: nothing written (decide said so, or a replay)
    seq: int  # the event's seq, or the stream head when nothing was appended
    created_at: float
    replay: Replay | None = None
    dropped_documents: tuple[dict[str, Any], ...] = ()  # snapshot documents swept: delete them


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    stream: str
    revision: int
    resume_seq: int
    canvas_type: str
    state_text: str | None
    document: dict[str, Any] | None
    size_bytes: int
    created_at: float


@dataclass(frozen=True, slots=True)
class CanvasRead:
    """A canvas and its stream's head, read together (every later commit has a greater seq)."""

    row: CanvasRow
    head: int


# decide(row or None when the canvas has no state yet, the revisions after ``since``) -> the
# write, or None for nothing. It runs under the canvas's lock (on the SQLite writer thread, or
# between PostgreSQL round trips): a plain, quick function. What it raises reaches the caller
# and nothing is written.
Decide = Callable[[CanvasRow | None, Sequence[RevisionRow]], CanvasWrite | None]


class CanvasSpine(Protocol):
    async def canvas_transact(
        self,
        stream: str,
        tenant_id: str,
        decide: Decide,
        *,
        since_revision: int | None = None,
        patch_key: str | None = None,
    ) -> TransactOutcome:
        """Lock the canvas, read it (and the revisions after ``since_revision``), decide, write.

        When ``patch_key`` already made a revision, nothing is decided or written: the outcome
        carries that ``replay``.
        """
        ...

    async def canvas_read(self, stream: str) -> CanvasRead | None: ...

    async def canvas_snapshot(self, stream: str, revision: int | None = None) -> SnapshotRow | None:
        """The snapshot at ``revision``, or the newest one."""
        ...
