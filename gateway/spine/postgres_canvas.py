"""Canvas state on the PostgreSQL spine: one transaction per canvas write, across replicas.

``gateway.canvas_begin`` takes the canvas's advisory lock (held to the end of the transaction,
in whichever replica) and returns, in one round trip, the state row, the revisions after the
patch's base and any revision its key already made. The gateway decides in Python (apply the
patch, validate) while holding it; ``gateway.canvas_apply`` then appends the event (through
``spine_append``, so its ``pg_notify`` fires at commit), stores the state and records the
revision. In pipeline mode that is two round trips (BEGIN with begin, apply with COMMIT), which
is also how long the canvas stays locked beyond the decision itself.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from psycopg.rows import TupleRow
from psycopg.types.json import Jsonb

from gateway.spine.canvas_rows import (
    CanvasRead,
    CanvasRow,
    CanvasWrite,
    Decide,
    Replay,
    RevisionRow,
    SnapshotRow,
    TransactOutcome,
)
from gateway.spine.checks import encode_payload

__all__ = ["read_canvas", "read_snapshot", "transact"]

Conn = psycopg.AsyncConnection[TupleRow]

_BEGIN = (
    "SELECT out_canvas_type, out_revision, out_state, out_commit_seq, out_snapshot_revision, "
    "out_intervening, out_replay FROM gateway.canvas_begin(%s, %s, %s)"
)
_APPLY = (
    "SELECT out_seq, out_created_at, out_dropped FROM gateway.canvas_apply("
    "%s, %s, %s, %s, %s, %s, %s::text::jsonb, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


async def transact(
    conn: Conn,
    stream: str,
    tenant_id: str,
    decide: Decide,
    since_revision: int | None,
    patch_key: str | None,
) -> TransactOutcome:
    async with conn.pipeline():
        await conn.execute("BEGIN")
        try:
            cur = await conn.execute(_BEGIN, (stream, since_revision, patch_key))
            found = await cur.fetchone()
            assert found is not None  # the function always returns one row
            outcome = await _decide_and_apply(conn, stream, tenant_id, decide, found)
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
    return outcome


async def _decide_and_apply(
    conn: Conn, stream: str, tenant_id: str, decide: Decide, found: tuple[Any, ...]
) -> TransactOutcome:
    if found[6] is not None:
        revision, seq, body_sha256 = found[6]
        replay = Replay(int(revision), int(seq), body_sha256)
        return TransactOutcome(None, replay.seq, 0.0, replay=replay)
    row = None
    if found[0] is not None:
        snapshot = None if found[4] is None else int(found[4])
        row = CanvasRow(str(found[0]), int(found[1]), str(found[2]), int(found[3]), snapshot)
    intervening = [RevisionRow(int(r), int(s), tuple(p)) for r, s, p in (found[5] or [])]
    write = decide(row, intervening)
    if write is None:
        return TransactOutcome(None, await _head(conn, stream), 0.0)
    return await _apply(conn, stream, tenant_id, write)


async def _apply(conn: Conn, stream: str, tenant_id: str, write: CanvasWrite) -> TransactOutcome:
    record, snap = write.record, write.snapshot
    payload = encode_payload(write.payload or {}) if write.event_type is not None else None
    cur = await conn.execute(
        _APPLY,
        (
            stream,
            tenant_id,
            write.canvas_type,
            write.revision,
            write.state_text,
            write.event_type,
            payload,
            None if record is None else Jsonb(list(record.paths)),
            None if record is None else record.patch_key,
            None if record is None else record.body_sha256,
            write.rebase_window,
            None if snap is None else snap.revision,
            None if snap is None else snap.state_text,
            None if snap is None or snap.document is None else Jsonb(snap.document),
            None if snap is None else snap.size_bytes,
            None if snap is None else snap.resume_seq,
            False if snap is None else snap.advance,
            write.keep_snapshots,
        ),
    )
    done = await cur.fetchone()
    assert done is not None
    dropped: list[dict[str, Any]] = list(done[2] or [])
    return TransactOutcome(write, int(done[0]), float(done[1]), dropped_documents=tuple(dropped))


async def _head(conn: Conn, stream: str) -> int:
    cur = await conn.execute("SELECT head_seq FROM gateway.spine_streams WHERE stream = %s", (stream,))
    found = await cur.fetchone()
    return 0 if found is None else int(found[0])


async def read_canvas(conn: Conn, stream: str) -> CanvasRead | None:
    """The state row and the stream head from one statement (one snapshot of the database)."""
    cur = await conn.execute(
        "SELECT s.canvas_type, s.revision, s.state, s.commit_seq, "
        "(SELECT max(n.revision) FROM gateway.canvas_snapshots n WHERE n.stream = s.stream), "
        "coalesce((SELECT h.head_seq FROM gateway.spine_streams h WHERE h.stream = s.stream), 0) "
        "FROM gateway.canvas_states s WHERE s.stream = %s",
        (stream,),
    )
    found = await cur.fetchone()
    if found is None:
        return None
    snapshot = None if found[4] is None else int(found[4])
    row = CanvasRow(str(found[0]), int(found[1]), str(found[2]), int(found[3]), snapshot)
    return CanvasRead(row, int(found[5]))


async def read_snapshot(conn: Conn, stream: str, revision: int | None) -> SnapshotRow | None:
    cur = await conn.execute(
        "SELECT revision, resume_seq, canvas_type, state, document, size_bytes, "
        "extract(epoch from created_at)::float8 FROM gateway.canvas_snapshots "
        "WHERE stream = %s AND (%s::bigint IS NULL OR revision = %s) ORDER BY revision DESC LIMIT 1",
        (stream, revision, revision),
    )
    found = await cur.fetchone()
    if found is None:
        return None
    document = found[4] if found[4] is None or isinstance(found[4], dict) else json.loads(found[4])
    return SnapshotRow(
        stream,
        int(found[0]),
        int(found[1]),
        str(found[2]),
        found[3],
        document,
        int(found[5]),
        float(found[6]),
    )
